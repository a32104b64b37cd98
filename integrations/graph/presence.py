"""Teams presence: read many users' presence at once, and set or clear the application's session (PBX calls).

Limits: at most 650 ids per getPresencesByUserId, and 1,500 requests per 30 s per app and tenant (Pacer).
"""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import NamedTuple

from .client import GraphClient

MAX_IDS_PER_REQUEST = 650  # getPresencesByUserId limit
READ_PERMISSION = "Presence.Read.All"
WRITE_PERMISSION = "Presence.ReadWrite.All"
MIN_EXPIRATION = timedelta(minutes=5)
MAX_EXPIRATION = timedelta(hours=4)


def chunks(ids: list[str], size: int = MAX_IDS_PER_REQUEST) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


class Presence(NamedTuple):
    availability: str  # Available, Busy, DoNotDisturb, Away, Offline, PresenceUnknown, ...
    activity: str  # Available, InACall, InAMeeting, Presenting, ...


def presences_by_user_id(client: GraphClient, ids: list[str]) -> dict[str, Presence]:
    """One POST /communications/getPresencesByUserId for at most 650 ids: {id: (availability, activity)}.

    Ids Graph does not answer for (no Teams license, unknown user) are simply absent.
    """
    if len(ids) > MAX_IDS_PER_REQUEST:
        raise ValueError(f"at most {MAX_IDS_PER_REQUEST} ids per request")
    body = client.post("/communications/getPresencesByUserId", {"ids": ids}) or {}
    found = {}
    for item in body.get("value") or []:
        if isinstance(item, dict) and item.get("id"):
            found[str(item["id"]).lower()] = Presence(str(item.get("availability") or "PresenceUnknown"),
                                                      str(item.get("activity") or "PresenceUnknown"))
    return found


def iso_duration(value: timedelta) -> str:
    value = min(max(value, MIN_EXPIRATION), MAX_EXPIRATION)
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")


def set_in_a_call(client: GraphClient, user_id: str, *, session_id: str, expiration: timedelta) -> None:
    """Busy / InACall for the application's session, expiring on its own if the call end is never reported."""
    client.post(f"/users/{user_id}/presence/setPresence", {
        "sessionId": session_id, "availability": "Busy", "activity": "InACall",
        "expirationDuration": iso_duration(expiration),
    })


def clear_session(client: GraphClient, user_id: str, *, session_id: str) -> None:
    client.post(f"/users/{user_id}/presence/clearPresence", {"sessionId": session_id})


def granted_roles(client: GraphClient, *, fresh: bool = False) -> set[str]:
    """The application permissions in the app token (a cached token unless ``fresh``)."""
    if fresh:
        client.clear_token_cache()
    return set(client.acquire_app_token().roles or ())


class Pacer:
    """Keeps one tenant within ``limit`` requests per ``window`` seconds (Graph: 1,500 per 30 s for presence)."""

    def __init__(self, limit: int = 1400, window: float = 30.0, *, clock: Callable[[], float],
                 sleep: Callable[[float], None]):
        self.limit, self.window, self._clock, self._sleep = limit, window, clock, sleep
        self._sent: list[float] = []

    def wait(self) -> None:
        now = self._clock()
        self._sent = [t for t in self._sent if now - t < self.window]
        if len(self._sent) >= self.limit:
            self._sleep(self.window - (now - self._sent[0]))
            now = self._clock()
            self._sent = [t for t in self._sent if now - t < self.window]
        self._sent.append(now)
