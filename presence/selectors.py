"""Reads for presence: settings, a page of extensions' presence in one query, and open calls."""

from datetime import timedelta

from django.utils import timezone

from extensions.models import Extension
from presence.mapping import UNKNOWN
from presence.models import ExtensionPresence, PbxCall, PresenceSettings

# A call the PBX never reported as ended stops counting after this long: its Teams session is no longer renewed
# and expires, so a lost "ended" keeps a user busy in Teams for at most this long (Graph's longest session, 4 h).
MAX_CALL_AGE = timedelta(hours=4)


def presence_settings_for(organization) -> PresenceSettings:
    """The organization's settings, or unsaved defaults."""
    found = PresenceSettings.objects.filter(organization=organization).first()
    return found or PresenceSettings(organization=organization)


def presence_by_extension(extension_ids) -> dict[int, ExtensionPresence]:
    """Presence of the given extensions (e.g. one page of a list), in one query."""
    ids = [pk for pk in extension_ids if pk is not None]
    if not ids:
        return {}
    return {p.extension_id: p for p in ExtensionPresence.objects.filter(extension_id__in=ids)}


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
