"""Which mailboxes and folders a run covers: synced users' own mailboxes and the chosen shared mailboxes.

Mailboxes and folders that left the scope are removed here, with their contacts and delta links.
"""

from __future__ import annotations

from contacts.models import Contact, ContactNumber, ContactSettings, FolderSyncState, MailboxSyncState, SharedMailbox
from contacts.sync.apply import delete_folder_contacts
from extensions.models import Extension
from integrations.graph.subscriptions import mailbox_contacts_target
from integrations.sync.models import DeltaCursor, SyncKind
from integrations.sync.realtime.registry import Wanted

Kind = MailboxSyncState.Kind


def cursor_key(mailbox_id: str, folder_id: str) -> str:
    return f"{mailbox_id}/{folder_id}"


def forget_cursors(organization_id: int, keys: list[str]) -> None:
    if keys:
        DeltaCursor.objects.filter(organization_id=organization_id, kind=SyncKind.CONTACTS, key__in=keys).delete()


def wanted_mailboxes(organization, settings: ContactSettings) -> dict[tuple[str, str], dict]:
    wanted: dict[tuple[str, str], dict] = {}
    shared_ids = set()
    if settings.shared_enabled:
        for mailbox in SharedMailbox.objects.filter(organization=organization):
            shared_ids.add(mailbox.mailbox_id)
            wanted[(Kind.SHARED, mailbox.mailbox_id)] = {"owner_id": None, "display_name": str(mailbox)[:256]}
    if settings.personal_enabled:
        users = (Extension.objects.filter(organization=organization, entra_object_id__isnull=False,
                                          status=Extension.Status.ACTIVE)
                 .values_list("pk", "entra_object_id", "display_name"))
        for pk, object_id, name in users:
            if str(object_id) not in shared_ids:  # a shared mailbox wins: its contacts are the company's
                wanted[(Kind.PERSONAL, str(object_id))] = {"owner_id": pk, "display_name": name[:256]}
    return wanted


def sync_mailbox_states(organization, settings: ContactSettings) -> tuple[list[MailboxSyncState], int, list[str]]:
    """(mailboxes in scope, contacts removed with mailboxes that left it, names of those mailboxes)."""
    wanted = wanted_mailboxes(organization, settings)
    existing = {(m.kind, m.mailbox_id): m for m in MailboxSyncState.objects.filter(organization=organization)}
    gone = [m for key, m in existing.items() if key not in wanted]
    removed_contacts = 0
    if gone:
        removed_contacts = Contact.objects.filter(mailbox__in=gone).count()
        keys = list(FolderSyncState.objects.filter(mailbox__in=gone).values_list("mailbox__mailbox_id", "folder_id"))
        forget_cursors(organization.pk, [cursor_key(m, f) for m, f in keys])
        MailboxSyncState.objects.filter(pk__in=[m.pk for m in gone]).delete()
    new = [MailboxSyncState(organization=organization, kind=kind, mailbox_id=mailbox_id, **fields)
           for (kind, mailbox_id), fields in wanted.items() if (kind, mailbox_id) not in existing]
    MailboxSyncState.objects.bulk_create(new, batch_size=500)
    changed = []
    for key, fields in wanted.items():
        state = existing.get(key)
        if state and (state.owner_id != fields["owner_id"] or state.display_name != fields["display_name"]):
            state.owner_id, state.display_name = fields["owner_id"], fields["display_name"]
            changed.append(state)
    if changed:
        MailboxSyncState.objects.bulk_update(changed, ["owner", "display_name"], batch_size=500)
        # A personal mailbox's contacts follow its owner (visibility), e.g. after the extension was recreated.
        for state in changed:
            Contact.objects.filter(mailbox=state).update(owner_id=state.owner_id)
            ContactNumber.objects.filter(contact__mailbox=state).update(owner_id=state.owner_id)
    states = list(MailboxSyncState.objects.filter(organization=organization).order_by("pk"))
    return states, removed_contacts, [str(m) for m in gone]


def set_folders(mailbox: MailboxSyncState, folders: list[tuple[str, str]],
                current: list[FolderSyncState]) -> tuple[list[FolderSyncState], int]:
    """Make the mailbox's folder rows exactly `folders` [(id, name)]: (folder rows, contacts removed)."""
    wanted = dict(folders)
    existing = {f.folder_id: f for f in current}
    gone = [folder_id for folder_id in existing if folder_id not in wanted]
    removed = 0
    if gone:
        removed = delete_folder_contacts(mailbox, gone)
        forget_cursors(mailbox.organization_id, [cursor_key(mailbox.mailbox_id, f) for f in gone])
        FolderSyncState.objects.filter(mailbox=mailbox, folder_id__in=gone).delete()
    new = FolderSyncState.objects.bulk_create([
        FolderSyncState(mailbox=mailbox, folder_id=folder_id, display_name=name[:256])
        for folder_id, name in wanted.items() if folder_id not in existing])
    if any(folder.pk is None for folder in new):
        new = list(FolderSyncState.objects.filter(mailbox=mailbox, folder_id__in=[f.folder_id for f in new]))
    renamed = [f for folder_id, f in existing.items() if folder_id in wanted and f.display_name != wanted[folder_id]]
    for folder in renamed:
        folder.display_name = wanted[folder.folder_id][:256]
    if renamed:
        FolderSyncState.objects.bulk_update(renamed, ["display_name"])
    kept = [f for folder_id, f in existing.items() if folder_id in wanted]
    return kept + new, removed


def subscription_targets(organization) -> list[Wanted]:
    """Near real-time: the contacts of every mailbox in scope (a notification runs that mailbox only)."""
    settings = ContactSettings.objects.filter(organization=organization).first()
    if settings is None or not settings.any_enabled:
        return []
    mailbox_ids = sorted({mailbox_id for _kind, mailbox_id in wanted_mailboxes(organization, settings)})
    return [Wanted(mailbox_contacts_target(mailbox_id), key=mailbox_id) for mailbox_id in mailbox_ids]
