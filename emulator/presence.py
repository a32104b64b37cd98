"""Teams presence, combined the way Teams does it (see the `presence` resource and `setPresence` docs).

Per user there can be:
- the user's Teams client session (signed in or not): its state starts as the seeded presence; a seeded
  Offline/PresenceUnknown user is not signed in;
- application sessions from `setPresence` (one per calling app, keyed by its client id), each with an expiry;
  an expired session no longer counts. An `Available` session with no update fades in stages, as documented:
  after `idle_timeout` to Available/AvailableInactive, after a further `away_timeout` to Away/Away;
- the user's preferred presence (`setUserPreferredPresence`, or the control API: the user sets it in Teams), with
  an expiry. It wins over every session, but only while at least one session exists; without any, Offline.
Among sessions the most severe counts: DoNotDisturb > Busy > Available > Away (then the rest, Offline last).
A user without a Teams license answers PresenceUnknown/PresenceUnknown (see emulator/README.md).
"""

import time

SEVERITY = {"DoNotDisturb": 5, "Busy": 4, "BusyIdle": 4, "Available": 3, "AvailableIdle": 3, "Away": 2,
            "BeRightBack": 2, "Offline": 0, "PresenceUnknown": 0}
SIGNED_OUT = frozenset({"Offline", "PresenceUnknown"})
OFFLINE = ("Offline", "Offline")
UNKNOWN = ("PresenceUnknown", "PresenceUnknown")
DEFAULT_IDLE_TIMEOUT = 300.0  # seconds: Available -> Available/AvailableInactive
DEFAULT_AWAY_TIMEOUT = 300.0  # further seconds: -> Away/Away


class Presence:
    """Callers hold State.lock. Times are time.time() seconds."""

    def __init__(self, seeded: dict, clock=time.time):
        self.clock = clock
        self.client: dict[str, tuple[str, str]] = dict(seeded)  # the user's Teams client state
        self.sessions: dict[str, dict[str, dict]] = {}  # user -> session id -> {availability, activity, ...}
        self.preferred: dict[str, dict] = {}  # user -> {availability, activity, expires}
        self.unlicensed: set[str] = set()
        self.idle_timeout = DEFAULT_IDLE_TIMEOUT
        self.away_timeout = DEFAULT_AWAY_TIMEOUT

    def configure(self, idle_timeout=None, away_timeout=None) -> dict:
        if idle_timeout is not None:
            self.idle_timeout = _seconds(idle_timeout, "idle_timeout")
        if away_timeout is not None:
            self.away_timeout = _seconds(away_timeout, "away_timeout")
        return {"idle_timeout": self.idle_timeout, "away_timeout": self.away_timeout}

    # --- writes ------------------------------------------------------------------------------
    def set_session(self, user_id: str, session_id: str, availability: str, activity: str, lifetime: float) -> None:
        now = self.clock()
        self.sessions.setdefault(user_id, {})[session_id] = {
            "availability": availability, "activity": activity, "updated": now, "expires": now + lifetime}

    def clear_session(self, user_id: str, session_id: str) -> bool:
        sessions = self.sessions.get(user_id) or {}
        live = session_id in sessions and sessions[session_id]["expires"] > self.clock()
        sessions.pop(session_id, None)
        return live

    def set_preferred(self, user_id: str, availability: str, activity: str, lifetime: float | None) -> None:
        expires = None if lifetime is None else self.clock() + lifetime
        self.preferred[user_id] = {"availability": availability, "activity": activity, "expires": expires}

    def clear_preferred(self, user_id: str) -> None:
        self.preferred.pop(user_id, None)

    def set_client(self, user_id: str, signed_in: bool, state: tuple[str, str] = ("Available", "Available")) -> None:
        """The user's Teams client signs in (with a state) or out."""
        self.client[user_id] = state if signed_in else OFFLINE

    # --- reads -------------------------------------------------------------------------------
    def effective(self, user_id: str) -> tuple[str, str]:
        if user_id in self.unlicensed:
            return UNKNOWN
        now = self.clock()
        states = [self._faded(s, now) for s in (self.sessions.get(user_id) or {}).values() if s["expires"] > now]
        client = self.client.get(user_id, UNKNOWN)
        if client[0] not in SIGNED_OUT:
            states.append(client)
        preferred = self.preferred.get(user_id)
        if preferred and (preferred["expires"] is None or preferred["expires"] > now):
            return (preferred["availability"], preferred["activity"]) if states else OFFLINE
        if not states:
            return OFFLINE if user_id in self.sessions else client  # a cleared last session leaves Offline
        return max(states, key=lambda s: SEVERITY.get(s[0], 1))

    def describe(self, user_id: str) -> dict:
        """For the control API: every input and the combined result."""
        now = self.clock()
        availability, activity = self.effective(user_id)
        return {
            "id": user_id, "availability": availability, "activity": activity,
            "licensed": user_id not in self.unlicensed,
            "client": dict(zip(("availability", "activity"), self.client.get(user_id, UNKNOWN), strict=True)),
            "preferred": self.preferred.get(user_id),
            "sessions": {sid: {**s, "current": list(self._faded(s, now)), "expired": s["expires"] <= now}
                         for sid, s in (self.sessions.get(user_id) or {}).items()},
        }

    def _faded(self, session: dict, now: float) -> tuple[str, str]:
        if session["availability"] != "Available":
            return session["availability"], session["activity"]
        idle = now - session["updated"]
        if idle >= self.idle_timeout + self.away_timeout:
            return "Away", "Away"
        if idle >= self.idle_timeout:
            return "Available", "AvailableInactive"
        return session["availability"], session["activity"]


def _seconds(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{name} must be a number of seconds >= 0")
    return float(value)
