"""Reads of user provisioning for other rooms' pages."""

from integrations.graph.subscriptions import group_members_target, users_target
from integrations.sync.models import SyncEvent, SyncKind
from integrations.sync.realtime.registry import Wanted
from integrations.sync.selectors import latest_run
from integrations.sync.users.models import UserSyncSettings

HISTORY_EVENTS = 50


def extension_detail_context(extension) -> dict:
    """An Entra user's extension page: their last sync events (newest first, with the run) and the numbers the
    extension had, oldest first, read from those events (added through extensions.hooks)."""
    if not extension.entra_object_id:
        return {}
    events = list(SyncEvent.objects.filter(organization=extension.organization_id,
                                           subject_id=str(extension.entra_object_id))
                  .exclude(action__in=[SyncEvent.Action.STEP, SyncEvent.Action.INFO])
                  .select_related("run").order_by("-id")[:HISTORY_EVENTS])
    numbers: list[dict] = []
    for event in reversed(events):
        if event.run.dry_run or not event.number:
            continue
        if not numbers or numbers[-1]["number"] != event.number:
            numbers.append({"number": event.number, "since": event.created_at, "event": event})
    return {"sync_events": events, "number_history": numbers}


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
