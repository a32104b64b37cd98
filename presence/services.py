"""Writes for presence: settings (audited), PBX call events, and the PBX-to-Teams sessions (in workers only)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from extensions.models import Extension
from integrations.graph import GraphClientError, PermissionDenied
from integrations.models import EntraConnection
from integrations.sync.models import SyncKind
from integrations.sync.quarantine import schedule_for
from organizations.audit import audit_record, field_changes
from presence import teams
from presence.models import ExtensionPresence, PbxCall, PresenceSettings
from presence.selectors import MAX_CALL_AGE, open_calls

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
        if changed and _writeback_on(organization):
            from presence.tasks import reconcile_call_presence

            transaction.on_commit(lambda: reconcile_call_presence.delay(extension.pk))
    return {"extension": number, "call_id": call_id, "event": event, "duplicate": not changed,
            "active_calls": active}


def _writeback_on(organization) -> bool:
    connection = EntraConnection.objects.filter(organization=organization).only(
        "feature_presence", "feature_presence_writeback").first()
    return bool(connection and connection.feature_presence and connection.feature_presence_writeback)


# --- PBX to Teams (workers) ------------------------------------------------------------------------------------
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
        permissions_record(organization=extension.organization, missing=[teams.WRITE_PERMISSION])
        raise


def _reconcile(extension: Extension, client, session_id: str, now) -> str:
    with transaction.atomic():
        row, _ = ExtensionPresence.objects.get_or_create(extension=extension,
                                                         defaults={"organization_id": extension.organization_id})
        row = ExtensionPresence.objects.select_for_update().get(pk=row.pk)
        busy = open_calls(extension.pk, now).exists()
        user_id = str(extension.entra_object_id)
        if busy and (row.teams_session_until is None or row.teams_session_until - now < RENEW_BEFORE):
            teams.set_in_a_call(client, user_id, session_id=session_id, expiration=CALL_SESSION_LENGTH)
            row.teams_session_until = now + CALL_SESSION_LENGTH
            outcome = "set"
        elif not busy and row.teams_session_until is not None:
            if row.teams_session_until > now:
                teams.clear_session(client, user_id, session_id=session_id)
            row.teams_session_until = None
            outcome = "cleared"
        else:
            return "unchanged"
        ExtensionPresence.objects.filter(pk=row.pk).update(teams_session_until=row.teams_session_until)
    return outcome


def renew_call_sessions(*, organization, client, session_id: str, now=None) -> int:
    """In each poll cycle: renew sessions of calls still open that are about to expire; clear finished ones."""
    now = now or timezone.now()
    due = set(ExtensionPresence.objects.filter(organization=organization, teams_session_until__isnull=False,
                                               teams_session_until__lt=now + RENEW_BEFORE)
              .values_list("pk", flat=True))
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
           "call_presence_reconcile", "permissions_record", "presence_settings_save", "renew_call_sessions"]
