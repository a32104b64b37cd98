"""Reads of user provisioning for other rooms' pages."""

from integrations.graph.subscriptions import group_members_target, users_target
from integrations.sync.models import SyncKind
from integrations.sync.realtime.registry import Wanted
from integrations.sync.selectors import latest_run
from integrations.sync.users.models import UserSyncSettings


def extension_list_context(organization) -> dict:
    """The Extensions list names the last finished user sync (added through extensions.hooks)."""
    return {"last_user_sync": latest_run(organization, SyncKind.USERS, finished=True)}


def subscription_targets(organization) -> list[Wanted]:
    """Near real-time: every user of the tenant; with a groups scope, each chosen group's membership too."""
    wanted = [Wanted(users_target())]
    settings = UserSyncSettings.objects.filter(organization=organization).first()
    if settings is not None and settings.scope == UserSyncSettings.Scope.GROUPS:
        wanted += [Wanted(group_members_target(group["id"])) for group in settings.groups
                   if isinstance(group, dict) and group.get("id")]
    return wanted
