"""What a SCIM request does to extensions and extension groups: the same planner, apply step, numbering, retained
numbers, grace period and sync log as Graph user sync (integrations.sync.users), one user at a time.

    log = RequestLog(organization)          # locks the day's run: one request of the organization at a time
    user_provisioned(log, object_id, document, request="POST /Users")
    user_deprovisioned(log, object_id, request="DELETE /Users/<id>")
    group_mirrored(log, group_id, name, member_ids, ...) / group_removed(...)
    log.flush()
"""

from __future__ import annotations

from django.utils import timezone

from extensions.models import Extension
from extensions.number_probe import ProbedNumberBook
from extensions.numbering import parse_reserved
from integrations.scim.log import RequestLog
from integrations.scim.mapping import directory_record
from integrations.sync.models import SyncEvent
from integrations.sync.users.apply import apply_actions
from integrations.sync.users.engine import UserSync, user_sync_settings
from integrations.sync.users.groups_apply import mirror_extension_group, remove_extension_group
from integrations.sync.users.mapping import directory_user
from integrations.sync.users.planner import REMOVED, ROW_FIELDS, plan_user, removal
from integrations.sync.users.scope import verdict_for

DELETED_REASON = "Deleted by Microsoft Entra provisioning (unassigned from the app, or deleted in Entra)"


def _prefix(request: str) -> str:
    return f"Entra provisioning, {request}: "


def _row(organization, object_id: str) -> dict | None:
    return Extension.objects.filter(organization=organization, entra_object_id=object_id).values(*ROW_FIELDS).first()


def _number_book(organization, settings) -> ProbedNumberBook:
    """One user per request: ask the database about the numbers in question instead of loading them all."""
    try:
        reserved = parse_reserved(settings.reserved_numbers)
    except ValueError:
        reserved = []
    return ProbedNumberBook(organization, reserved, settings.range_start, settings.range_end)


def _apply(log: RequestLog, sync: UserSync, actions: list, request: str) -> None:
    actions = [action for action in actions if action is not None]
    if actions:
        apply_actions(log.organization, actions, sync.now)
    for action in actions:
        sync.record(action, _prefix(request))


def user_provisioned(log: RequestLog, object_id: str, document: dict, *, request: str) -> str | None:
    """Create, update, disable or restore the user's extension; returns the action taken (None: nothing changed)."""
    organization = log.organization
    settings = user_sync_settings(organization)
    sync = UserSync(log, settings)
    sync.book = _number_book(organization, settings)
    user = directory_user(directory_record(object_id, document), organization.default_region)
    action = plan_user(user, verdict_for(user, settings), _row(organization, object_id), sync.book, sync.policy,
                       sync.now)
    _apply(log, sync, [action, *sync.grace_deletions()], request)
    return action.kind if action else None


def user_deprovisioned(log: RequestLog, object_id: str, subject: str, *, request: str) -> str | None:
    """The SCIM User is gone: its extension is disabled and removed from scope; it is deleted when the grace period
    of User Synchronization's settings is over (and its number retained for the user)."""
    organization = log.organization
    sync = UserSync(log, user_sync_settings(organization))
    row = _row(organization, object_id)
    action = None
    if row and row["source"] == Extension.Source.ENTRA and row["sync_state"] != REMOVED:
        action = removal(row, row["display_name"] or subject, DELETED_REASON, sync.now)
    _apply(log, sync, [action, *sync.grace_deletions()], request)
    return action.kind if action else None


def grace_period_applied(log: RequestLog) -> int:
    """Extensions removed from scope longer ago than the grace period are deleted (numbers retained), also on days
    Entra sends nothing: the daily task calls this for every organization with SCIM push on."""
    sync = UserSync(log, user_sync_settings(log.organization))
    deletions = sync.grace_deletions()
    _apply(log, sync, deletions, "grace period")
    return len(deletions)


def user_adopted(log: RequestLog, object_id: str, subject: str, *, request: str) -> None:
    log.event(SyncEvent.Action.INFO, subject_id=object_id, subject=subject,
              reason=_prefix(request) + "matched the existing extension of this user: Microsoft Entra provisioning "
                                        "manages it from now on (its number is kept)")


def group_mirrored(log: RequestLog, group_id: str, name: str, member_ids: list[str], *, request: str,
                   created: bool, before: dict | None = None) -> None:
    mirror_extension_group(log.organization, group_id, name, member_ids, timezone.now())
    after = {"name": name, "members": len(member_ids)}
    log.add(groups_created=1) if created else log.add(groups_updated=1)
    log.event(SyncEvent.Action.CREATED if created else SyncEvent.Action.UPDATED, subject_id=group_id,
              subject=f"Group {name}"[:300], before=before, after=after,
              reason=_prefix(request) + ("extension group created" if created else "extension group updated"))


def group_removed(log: RequestLog, group_id: str, name: str, *, request: str) -> None:
    remove_extension_group(log.organization, group_id)
    log.add(groups_deleted=1)
    log.event(SyncEvent.Action.DELETED, subject_id=group_id, subject=f"Group {name}"[:300],
              reason=_prefix(request) + "extension group removed (its extensions stay)")
