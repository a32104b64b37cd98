"""Writes for presence: settings (audited), PBX call events, and the PBX-to-Teams sessions (in workers only)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from extensions.models import Extension
from integrations.connection_client import graph_client_for
from integrations.graph import GraphClientError, NotFound, PermissionDenied
from integrations.graph import presence as graph_presence
from integrations.models import EntraConnection
from integrations.sync.models import SyncKind
from integrations.sync.quarantine import schedule_for
from organizations.audit import audit_record, field_changes
from pbx_portal import jobs
from presence.models import ExtensionPresence, PbxCall, PresenceSettings
from presence.selectors import MAX_CALL_AGE, extensions_with_sessions_due, open_calls, writeback_connection

logger = logging.getLogger(__name__)

# The Teams "in a call" session lasts this long unless renewed by a poll cycle or cleared by the call's end,
# so a lost "ended" event leaves the user busy in Teams for at most this long.
CALL_SESSION_LENGTH = timedelta(minutes=30)
RENEW_BEFORE = timedelta(minutes=10)


class UnknownExtension(LookupError):
    pass


# --- settings ----------------------------------------------------------------------------------------------------
def presence_settings_save(*, organization, connection: EntraConnection, enabled: bool, direction: str,
                           mapping: list[dict], poll_interval_seconds: int, actor) -> PresenceSettings:
    """Save the Collaboration page's presence section: settings row, the connection's two flags, the schedule."""
    with transaction.atomic():
        settings, _ = PresenceSettings.objects.select_for_update().get_or_create(organization=organization)
        before = {"direction": settings.direction, "mapping": settings.mapping,
                  "poll_interval_seconds": settings.poll_interval_seconds,
                  "feature_presence": connection.feature_presence,
                  "feature_presence_writeback": connection.feature_presence_writeback}
        settings.direction = direction
        settings.mapping = mapping
        settings.poll_interval_seconds = poll_interval_seconds
        settings.save()
        writeback = enabled and direction in (PresenceSettings.Direction.PBX_TO_TEAMS, PresenceSettings.Direction.BOTH)
        connection.feature_presence = enabled
        connection.feature_presence_writeback = writeback
        connection.save(update_fields=["feature_presence", "feature_presence_writeback", "updated_at"])
        schedule = schedule_for(organization, SyncKind.PRESENCE)
        if schedule.interval_seconds != poll_interval_seconds:
            schedule.interval_seconds = poll_interval_seconds
            schedule.save(update_fields=["interval_seconds"])
        after = {"direction": direction, "mapping": mapping, "poll_interval_seconds": poll_interval_seconds,
                 "feature_presence": enabled, "feature_presence_writeback": writeback}
        changes = field_changes(before, after)
        if "mapping" in changes:
            changes["mapping"] = ["(previous table)", "(edited table)"]
        if changes:
            audit_record(organization=organization, actor=actor, action="presence.settings_saved",
                         target="Microsoft Teams Presence", changes=changes)
    return settings


def permissions_record(*, organization, missing: list[str]) -> None:
    PresenceSettings.objects.get_or_create(organization=organization)
    PresenceSettings.objects.filter(organization=organization).update(
        missing_permissions=sorted(set(missing)), permissions_checked_at=timezone.now())


# --- PBX call events -------------------------------------------------------------------------------------------
def call_event_record(*, organization, number: str, event: str, call_id: str, now=None) -> dict:
    """Record a call start/end of an extension (idempotent) and queue the Teams update. Never calls Graph."""
    now = now or timezone.now()
    extension = Extension.objects.filter(organization=organization, number=number).only("pk").first()
    if extension is None:
        raise UnknownExtension(number)
    with transaction.atomic():
        if event == "started":
            _call, created = PbxCall.objects.get_or_create(
                organization=organization, extension=extension, call_id=call_id, defaults={"started_at": now})
            changed = created
        else:
            changed = bool(PbxCall.objects.filter(extension=extension, call_id=call_id, ended_at__isnull=True)
                           .update(ended_at=now))
            if not changed and not PbxCall.objects.filter(extension=extension, call_id=call_id).exists():
                # An "ended" without (or before) its "started": remember it so a late "started" is a no-op.
                PbxCall.objects.create(organization=organization, extension=extension, call_id=call_id,
                                       started_at=now, ended_at=now)
        active = open_calls(extension.pk, now).count()
        if changed and writeback_connection(organization.pk) is not None:
            jobs.enqueue("presence.reconcile_call", extension.pk)
    return {"extension": number, "call_id": call_id, "event": event, "duplicate": not changed,
            "active_calls": active}


# --- PBX to Teams (workers) ------------------------------------------------------------------------------------
def call_presence_write_back(*, extension_id: int) -> str:
    """The task's service: reconcile one extension through its organization's connection, if write-back is
    allowed now. Graph failures propagate (the task decides about retrying)."""
    organization_id = Extension.objects.filter(pk=extension_id).values_list("organization_id", flat=True).first()
    connection = writeback_connection(organization_id) if organization_id else None
    if connection is None:
        return "write-back is off (or the Entra connection is not usable)"
    return call_presence_reconcile(extension_id=extension_id, client=graph_client_for(connection),
                                   session_id=connection.client_id)


def call_presence_reconcile(*, extension_id: int, client, session_id: str, now=None) -> str:
    """Make Teams match the PBX for one extension: busy in a call while a call is open, cleared otherwise.

    Reads the current calls (not the event that triggered it), so duplicated, reordered or concurrent events
    converge; the presence row is locked so two workers never interleave set and clear for one user.
    """
    now = now or timezone.now()
    extension = Extension.objects.filter(pk=extension_id, entra_object_id__isnull=False).first()
    if extension is None:
        return "not bound to an Entra user"
    try:
        return _reconcile(extension, client, session_id, now)
    except PermissionDenied:
        permissions_record(organization=extension.organization, missing=[graph_presence.WRITE_PERMISSION])
        raise


def _reconcile(extension: Extension, client, session_id: str, now) -> str:
    with transaction.atomic():
        row, _ = ExtensionPresence.objects.get_or_create(extension=extension,
                                                         defaults={"organization_id": extension.organization_id})
        row = ExtensionPresence.objects.select_for_update().get(pk=row.pk)
        busy = open_calls(extension.pk, now).exists()
        user_id = str(extension.entra_object_id)
        if busy and (row.teams_session_until is None or row.teams_session_until - now < RENEW_BEFORE):
            try:
                graph_presence.set_in_a_call(client, user_id, session_id=session_id, expiration=CALL_SESSION_LENGTH)
            except NotFound:  # no Teams license (or the user is gone): nothing to retry
                logger.info("Teams has no presence for extension %s: its call is not shown in Teams", extension.pk)
                return "no Teams presence for this user"
            row.teams_session_until = now + CALL_SESSION_LENGTH
            outcome = "set"
        elif not busy and row.teams_session_until is not None:
            if row.teams_session_until > now:
                try:
                    graph_presence.clear_session(client, user_id, session_id=session_id)
                except NotFound:  # already gone: expired, or an earlier clear whose answer was lost
                    logger.info("The Teams call session of extension %s was already cleared", extension.pk)
            row.teams_session_until = None
            outcome = "cleared"
        else:
            return "unchanged"
        ExtensionPresence.objects.filter(pk=row.pk).update(teams_session_until=row.teams_session_until)
    return outcome


def renew_call_sessions(*, organization, client, session_id: str, now=None) -> int:
    """In each poll cycle: set the session of every open call that has none (its first setPresence failed), renew
    sessions of calls still open that are about to expire, clear finished ones. Returns how many were set."""
    now = now or timezone.now()
    due = extensions_with_sessions_due(organization, now=now, renew_before=RENEW_BEFORE)
    renewed = 0
    for extension_id in sorted(due):
        try:
            if call_presence_reconcile(extension_id=extension_id, client=client, session_id=session_id,
                                       now=now) == "set":
                renewed += 1
        except GraphClientError as exc:
            logger.warning("Renewing the Teams call presence of extension %s failed: %s", extension_id, exc)
    return renewed


__all__ = ["CALL_SESSION_LENGTH", "MAX_CALL_AGE", "UnknownExtension", "call_event_record",
           "call_presence_reconcile", "call_presence_write_back", "permissions_record", "presence_settings_save",
           "renew_call_sessions"]
