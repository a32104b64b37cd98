"""The Graph application permissions the portal asks for, what each enables, and which features need them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class GraphPermission:
    name: str
    enables: str
    feature: str | None  # EntraConnection feature flag that requires it; None = always required
    optional: bool = False
    also_satisfied_by: tuple[str, ...] = ()

    def granted(self, roles) -> bool:
        return self.name in roles or any(alternative in roles for alternative in self.also_satisfied_by)


PERMISSIONS = (
    GraphPermission("User.Read.All", "Read users' profiles: provisions Entra users as extensions and keeps them "
                    "up to date; resolves Microsoft sign-ins to extensions.", feature=None,
                    also_satisfied_by=("User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")),
    GraphPermission("GroupMember.Read.All", "Read group memberships: sync only the members of chosen groups.",
                    feature="feature_group_scope",
                    also_satisfied_by=("Group.Read.All", "Directory.Read.All", "Directory.ReadWrite.All")),
    GraphPermission("Contacts.Read", "Read contacts in all mailboxes: personal Outlook contacts and shared-mailbox "
                    "contacts in the PBX contact directory.", feature="feature_contacts",
                    also_satisfied_by=("Contacts.ReadWrite",)),
    GraphPermission("Presence.Read.All", "Read Teams presence of all users: shows Teams status on extensions.",
                    feature="feature_presence", also_satisfied_by=("Presence.ReadWrite.All",)),
    GraphPermission("Presence.ReadWrite.All", "Set Teams presence: shows PBX calls as 'In a call' in Teams.",
                    feature="feature_presence_writeback"),
    GraphPermission("Application.Read.All", "Read the app registration: warns before the client secret expires.",
                    feature=None, optional=True,
                    also_satisfied_by=("Application.ReadWrite.All", "Application.ReadWrite.OwnedBy")),
)
BY_NAME = {permission.name: permission for permission in PERMISSIONS}


def required_permissions(connection) -> list[GraphPermission]:
    """Permissions the enabled features need (optional ones excluded)."""
    return [p for p in PERMISSIONS if not p.optional and (p.feature is None or getattr(connection, p.feature))]


def permission_rows(connection) -> list[dict]:
    """Every permission with whether the admin's enabled features require it (for the setup page)."""
    required = {p.name for p in required_permissions(connection)}
    return [{"permission": p, "required": p.name in required} for p in PERMISSIONS]
