"""One presence cycle (the sync kind ``presence``): Teams to PBX polling, then PBX-to-Teams session renewals.

read: getPresencesByUserId in chunks of 650 ids; plan: pure comparison of what Teams says with the stored
state; apply: one bulk write per chunk, only for what changed. A user Teams has no presence for is reported
once (a SyncEvent) and re-checked every UNAVAILABLE_RECHECK, not on every cycle.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from extensions.models import Extension
from integrations.graph import PermissionDenied
from integrations.graph import presence as graph_presence
from integrations.sync.failures import MissingPermission
from integrations.sync.models import SyncEvent
from presence.mapping import UNKNOWN, mapping_table, pbx_state_for
from presence.models import ExtensionPresence, PresenceSettings
from presence.selectors import pollable_extensions, writeback_allowed
from presence.services import permissions_record, renew_call_sessions

logger = logging.getLogger(__name__)

UNAVAILABLE_RECHECK = timedelta(hours=6)
STATE_FIELDS = ("availability", "activity", "pbx_state", "changed_at", "unavailable_since", "recheck_at")


@dataclass(frozen=True)
class Change:
    extension_id: int
    object_id: str
    before: tuple[str, str, str] | None  # (availability, activity, pbx_state); None: no row yet
    after: tuple[str, str, str] | None  # None: Teams has no presence for this user


def plan_changes(targets: list[tuple[int, str]], current: dict[int, tuple[str, str, str, bool]],
                 observed: dict[str, tuple[str, str]], table: dict) -> list[Change]:
    """Pure: what to write. ``current`` maps extension id -> (availability, activity, pbx_state, unavailable)."""
    changes = []
    for extension_id, object_id in targets:
        now_row = current.get(extension_id)
        seen = observed.get(object_id)
        before = now_row[:3] if now_row else None
        if seen is None:
            if now_row is None or not now_row[3]:
                changes.append(Change(extension_id, object_id, before, None))
            continue
        after = (seen[0], seen[1], pbx_state_for(table, seen[0], seen[1]))
        if now_row is None or now_row[3] or before != after:
            changes.append(Change(extension_id, object_id, before, after))
    return changes


def is_quiet(counts: dict) -> bool:
    """A cycle that changed no presence and found no new unavailable user: its counts live on the Collaboration
    status (PresenceSettings.last_poll_counts), not in the sync log."""
    return not counts.get("changed") and not counts.get("unavailable")


def execute(ctx) -> None:
    settings = PresenceSettings.objects.filter(organization=ctx.organization).first() or PresenceSettings(
        organization=ctx.organization)
    writeback = writeback_allowed(ctx.connection, settings)
    _check_permissions(ctx, settings, writeback=writeback)
    if settings.reads_teams:
        _poll(ctx, settings)
    if writeback:
        renewed = renew_call_sessions(organization=ctx.organization, client=ctx.client,
                                      session_id=ctx.connection.client_id)
        ctx.add(sessions_renewed=renewed)
    ctx.flush()


def _poll(ctx, settings: PresenceSettings) -> None:
    table = mapping_table(settings.mapping)
    targets = pollable_extensions(ctx.organization)
    ctx.add(users=len(targets))
    pacer = graph_presence.Pacer(clock=time.monotonic, sleep=time.sleep)
    for chunk_targets in _chunked(targets):
        pacer.wait()
        try:
            observed = graph_presence.presences_by_user_id(ctx.client, [oid for _, oid in chunk_targets])
        except PermissionDenied as exc:
            permissions_record(organization=ctx.organization, missing=[graph_presence.READ_PERMISSION])
            raise MissingPermission(graph_presence.READ_PERMISSION, "Reading Teams presence", exc) from exc
        _apply(ctx, chunk_targets, observed, table)
    counts = {name: int(ctx.counts.get(name, 0)) for name in ("users", "changed", "unavailable")}
    PresenceSettings.objects.filter(organization=ctx.organization).update(last_poll_at=timezone.now(),
                                                                          last_poll_counts=counts)


def _check_permissions(ctx, settings: PresenceSettings, *, writeback: bool) -> None:
    """Name the presence permissions the app token lacks (stored for the settings page; written only on change).

    A cached token may predate new consent: when something looks missing, one fresh token decides.
    """
    def missing_from(roles: set[str]) -> list[str]:
        missing = []
        if settings.reads_teams and not roles & {graph_presence.READ_PERMISSION, graph_presence.WRITE_PERMISSION}:
            missing.append(graph_presence.READ_PERMISSION)
        if writeback and graph_presence.WRITE_PERMISSION not in roles:
            missing.append(graph_presence.WRITE_PERMISSION)
        return missing

    missing = missing_from(graph_presence.granted_roles(ctx.client))
    if missing:
        missing = missing_from(graph_presence.granted_roles(ctx.client, fresh=True))
    if sorted(missing) != sorted(settings.missing_permissions or ()) or settings.permissions_checked_at is None:
        permissions_record(organization=ctx.organization, missing=missing)
        settings.missing_permissions = sorted(missing)
    if missing:
        ctx.event(SyncEvent.Action.ERROR, subject="Microsoft Graph permissions",
                  reason="Missing application permission(s): " + ", ".join(missing) + ". Add them in the app "
                         "registration and click “Grant admin consent”.")


def _chunked(targets):
    for start in range(0, len(targets), graph_presence.MAX_IDS_PER_REQUEST):
        yield targets[start:start + graph_presence.MAX_IDS_PER_REQUEST]


def _apply(ctx, chunk_targets, observed, table) -> None:
    ids = [pk for pk, _ in chunk_targets]
    rows = {row.pk: row for row in ExtensionPresence.objects.filter(extension_id__in=ids).only(
        "extension_id", "availability", "activity", "pbx_state", "unavailable_since")}
    current = {pk: (r.availability, r.activity, r.pbx_state, r.unavailable_since is not None)
               for pk, r in rows.items()}
    changes = plan_changes(chunk_targets, current, observed, table)
    if not changes:
        return
    now = timezone.now()
    to_update, to_create = [], []
    names = dict(Extension.objects.filter(pk__in=[c.extension_id for c in changes if c.after is None])
                 .values_list("pk", "number"))
    for change in changes:
        row = rows.get(change.extension_id) or ExtensionPresence(extension_id=change.extension_id,
                                                                 organization=ctx.organization)
        if change.after is None:
            row.availability, row.activity, row.pbx_state = "", "", UNKNOWN
            row.unavailable_since, row.recheck_at, row.changed_at = now, now + UNAVAILABLE_RECHECK, now
            ctx.event(SyncEvent.Action.SKIPPED, subject_id=change.object_id,
                      subject=f"Extension {names.get(change.extension_id, change.extension_id)}",
                      number=names.get(change.extension_id, ""),
                      reason="Teams has no presence for this user (no Teams license, or the user was not found). "
                             f"Checked again in {UNAVAILABLE_RECHECK.seconds // 3600} hours.")
        else:
            row.availability, row.activity, row.pbx_state = change.after
            row.unavailable_since = row.recheck_at = None
            row.changed_at = now
        (to_update if change.extension_id in rows else to_create).append(row)
    with transaction.atomic():
        if to_create:
            ExtensionPresence.objects.bulk_create(to_create, batch_size=1000)
        if to_update:
            ExtensionPresence.objects.bulk_update(to_update, STATE_FIELDS, batch_size=1000)
    ctx.add(changed=sum(1 for c in changes if c.after is not None),
            unavailable=sum(1 for c in changes if c.after is None))
    ctx.flush()
