"""Reads for presence: settings, whether write-back is allowed, a page of extensions' presence in one query, and
open calls."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from extensions.models import Extension
from integrations.models import EntraConnection
from presence.mapping import UNKNOWN
from presence.models import ExtensionPresence, PbxCall, PresenceSettings

# A call the PBX never reported as ended stops counting after this long: its Teams session is no longer renewed
# and expires, so a lost "ended" keeps a user busy in Teams for at most this long (Graph's longest session, 4 h).
MAX_CALL_AGE = timedelta(hours=4)


def presence_settings_for(organization) -> PresenceSettings:
    """The organization's settings, or unsaved defaults."""
    found = PresenceSettings.objects.filter(organization=organization).first()
    return found or PresenceSettings(organization=organization)


def writeback_allowed(connection: EntraConnection | None, settings: PresenceSettings) -> bool:
    """The one place that decides whether PBX calls are written to Teams now: a usable connection (configured,
    syncs not paused for a rejected credential) with Teams presence and "PBX calls to Teams presence" on, and a
    direction that writes to Teams."""
    return bool(connection is not None and connection.is_configured and not connection.syncs_paused
                and connection.feature_presence and connection.feature_presence_writeback and settings.writes_teams)


def writeback_connection(organization_id: int) -> EntraConnection | None:
    """The organization's connection when write-back is allowed (writeback_allowed), else None."""
    connection = EntraConnection.objects.filter(organization_id=organization_id).first()
    settings = PresenceSettings.objects.filter(organization_id=organization_id).first() or PresenceSettings()
    return connection if writeback_allowed(connection, settings) else None


# Teams presence is current only while it is read: presence synchronization on, in a direction that reads Teams.
# Rows stay when it is switched off (a switch back on starts from them), but they are then the last states seen.
READING_DIRECTIONS = (PresenceSettings.Direction.TEAMS_TO_PBX, PresenceSettings.Direction.BOTH)
PRESENCE_IS_READ = Q(organization__entra_connection__feature_presence=True) & (
    Q(organization__presence_settings__isnull=True)  # the defaults: both directions
    | Q(organization__presence_settings__direction__in=READING_DIRECTIONS))


def current_presence():
    """ExtensionPresence rows whose organization reads Teams presence now (a filter inside the same query)."""
    return ExtensionPresence.objects.filter(PRESENCE_IS_READ)


def presence_by_extension(extension_ids) -> dict[int, ExtensionPresence]:
    """Current presence of the given extensions (e.g. one page of a list), in one query: none while the
    organization does not read Teams presence."""
    ids = [pk for pk in extension_ids if pk is not None]
    if not ids:
        return {}
    return {p.extension_id: p for p in current_presence().filter(extension_id__in=ids)}


def presence_is_read(organization) -> bool:
    connection = EntraConnection.objects.filter(organization=organization).first()
    settings = PresenceSettings.objects.filter(organization=organization).first()
    return bool(connection and connection.feature_presence) and (settings is None or settings.reads_teams)


NO_TEAMS_PRESENCE = "No Teams presence"


def presence_summaries(extension_ids) -> dict[int, dict]:
    """Presence of the given extensions as plain data, in one query (the UC Client directory and its API):
    {"state": PBX state, "label", "since": when this state was first seen, "availability", "activity"}.
    A user Teams has no presence for (no Teams license, not found) is "unknown" with empty Teams fields."""
    summaries = {}
    for pk, presence in presence_by_extension(extension_ids).items():
        if presence.unavailable_since:
            summaries[pk] = {"state": UNKNOWN, "label": NO_TEAMS_PRESENCE, "since": presence.unavailable_since,
                             "availability": "", "activity": ""}
        else:
            summaries[pk] = {"state": presence.pbx_state, "label": presence.get_pbx_state_display(),
                             "since": presence.changed_at, "availability": presence.availability,
                             "activity": presence.activity}
    return summaries


def pollable_extensions(organization, now=None) -> list[tuple[int, str]]:
    """(extension id, lower-case Entra object id) of active extensions bound to Entra, skipping users Teams
    had no presence for until their re-check time."""
    now = now or timezone.now()
    resting = ExtensionPresence.objects.filter(organization=organization, recheck_at__gt=now).values("pk")
    rows = (Extension.objects.filter(organization=organization, entra_object_id__isnull=False,
                                     status=Extension.Status.ACTIVE)
            .exclude(pk__in=resting).order_by("pk").values_list("pk", "entra_object_id"))
    return [(pk, str(oid).lower()) for pk, oid in rows]


def open_calls(extension_id: int, now=None):
    now = now or timezone.now()
    return PbxCall.objects.filter(extension_id=extension_id, ended_at__isnull=True,
                                  started_at__gt=now - MAX_CALL_AGE)


def extensions_with_sessions_due(organization, *, now, renew_before) -> set[int]:
    """Extension ids whose Teams call session needs a write: sessions about to expire (renew, or clear when the
    call is over), and open calls with no session at all (the first setPresence failed or was never sent).
    Users Teams has no presence for (no license) are left out of the second kind."""
    due = set(ExtensionPresence.objects.filter(organization=organization, teams_session_until__isnull=False,
                                               teams_session_until__lt=now + renew_before)
              .values_list("pk", flat=True))
    calling = (PbxCall.objects.filter(organization=organization, ended_at__isnull=True,
                                      started_at__gt=now - MAX_CALL_AGE, extension__entra_object_id__isnull=False)
               .values_list("extension_id", flat=True).distinct())
    covered = ExtensionPresence.objects.filter(organization=organization).filter(
        Q(teams_session_until__isnull=False) | Q(unavailable_since__isnull=False))
    due.update(calling.exclude(extension_id__in=covered.values("pk")))
    return due
