"""Graph presence: getPresencesByUserId (<= 650 ids, 1,500 requests per 30 s per app), /users/{id}/presence,
setPresence / clearPresence (application sessions), setUserPreferredPresence / clearUserPreferredPresence.

How the states combine is in emulator/presence.py.
"""

import re

from emulator.graph_common import GraphError, context_url, graph_json, too_many_requests
from emulator.web import Response

PRESENCE_READ = ("Presence.Read.All", "Presence.ReadWrite.All")
PRESENCE_WRITE = ("Presence.ReadWrite.All",)
DENIED = ("Forbidden", "Insufficient privileges to complete the operation.")
MAX_IDS = 650
RATE_LIMIT, RATE_WINDOW = 1500, 30.0
SET_COMBINATIONS = {("Available", "Available"), ("Busy", "InACall"), ("Busy", "InAConferenceCall"),
                    ("Away", "Away"), ("DoNotDisturb", "Presenting")}
PREFERRED_COMBINATIONS = {("Available", "Available"), ("Busy", "Busy"), ("DoNotDisturb", "DoNotDisturb"),
                          ("BeRightBack", "BeRightBack"), ("Away", "Away"), ("Offline", "OffWork")}
SESSION_MIN, SESSION_MAX, SESSION_DEFAULT = 5 * 60, 4 * 3600, 5 * 60
DAY = 86400
_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def register(router) -> None:
    meta = {"denied": DENIED}
    router.add("POST", "/v1.0/communications/getPresencesByUserId", get_presences, perms=PRESENCE_READ, **meta)
    router.add("GET", "/v1.0/communications/presences/{user_id}", get_presence, perms=PRESENCE_READ, **meta)
    router.add("GET", "/v1.0/users/{user_id}/presence", get_presence, perms=PRESENCE_READ, **meta)
    for name, handler in (("setPresence", set_presence), ("clearPresence", clear_presence),
                          ("setUserPreferredPresence", set_preferred), ("clearUserPreferredPresence", clear_preferred)):
        router.add("POST", f"/v1.0/users/{{user_id}}/presence/{name}", handler, perms=PRESENCE_WRITE, **meta)
        router.add("POST", f"/v1.0/communications/presences/{{user_id}}/{name}", handler, perms=PRESENCE_WRITE, **meta)


def presence_object(state, user_id: str) -> dict:
    availability, activity = state.presence.effective(user_id)
    return {"@odata.type": "#microsoft.graph.presence", "id": user_id, "availability": availability,
            "activity": activity, "statusMessage": None,
            "outOfOfficeSettings": {"message": None, "isOutOfOffice": activity == "OutOfOffice"}}


def _body(req, required: bool = True) -> dict:
    try:
        body = req.json()
    except ValueError:
        body = None
    if body is None and not required:
        return {}
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")
    return body


def get_presences(emu, req, params, claims):
    wait = emu.presence_throttle.check(claims.get("appid", "?"))
    if wait is not None:
        return too_many_requests(req, emu.presence_throttle.retry_after_value(wait))
    ids = _body(req).get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise GraphError(400, "BadRequest", "The 'ids' parameter is required.")
    if len(ids) > MAX_IDS:
        raise GraphError(400, "BadRequest", f"The number of ids in the request exceeds the limit of {MAX_IDS}.")
    state = emu.state
    with state.lock:
        value = [presence_object(state, i) for i in dict.fromkeys(ids) if i in state.users.by_id]
    return graph_json({"@odata.context": context_url(req, "Collection(microsoft.graph.presence)"), "value": value})


def _user_id(state, key: str) -> str:
    user = state.users.get(key)
    if user is None:
        raise GraphError(404, "NotFound", f"User '{key}' was not found.")
    return user["id"]


def _licensed_user_id(state, key: str) -> str:
    user_id = _user_id(state, key)
    if user_id in state.presence.unlicensed:
        raise GraphError(404, "NotFound", f"User '{key}' does not have a Microsoft Teams license.")
    return user_id


def get_presence(emu, req, params, claims):
    state = emu.state
    with state.lock:
        body = presence_object(state, _user_id(state, params["user_id"]))
    return graph_json({"@odata.context": context_url(req, "communications/presences/$entity"), **body})


def parse_duration(text) -> float:
    """ISO 8601 duration (PnDTnHnMnS) in seconds; 400 if it is not one."""
    m = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if not m or not any(m.groups()) or text.endswith("T"):
        raise GraphError(400, "BadRequest", f"Invalid expirationDuration '{text}'.")
    days, hours, minutes, seconds = (float(g or 0) for g in m.groups())
    return days * DAY + hours * 3600 + minutes * 60 + seconds


def _session_id(body: dict, claims: dict) -> str:
    session = body.get("sessionId")
    if not isinstance(session, str) or not session:
        raise GraphError(400, "BadRequest", "sessionId is required.")
    if session.lower() != str(claims.get("appid") or claims.get("azp") or "").lower():
        raise GraphError(400, "BadRequest", "The sessionId must be the application (client) id of the caller.")
    return session.lower()


def set_presence(emu, req, params, claims):
    body = _body(req)
    availability, activity = body.get("availability"), body.get("activity")
    if not availability or not activity:
        raise GraphError(400, "BadRequest", "sessionId, availability and activity are required.")
    session = _session_id(body, claims)
    if (availability, activity) not in SET_COMBINATIONS:
        raise GraphError(400, "BadRequest", f"The availability '{availability}' and activity '{activity}' "
                                            "combination is not supported.")
    lifetime = SESSION_DEFAULT
    if body.get("expirationDuration") is not None:
        lifetime = parse_duration(body["expirationDuration"])
        if not SESSION_MIN <= lifetime <= SESSION_MAX:
            raise GraphError(400, "BadRequest", "The expirationDuration must be between PT5M and PT4H.")
    state = emu.state
    with state.lock:
        state.presence.set_session(_licensed_user_id(state, params["user_id"]), session, availability, activity,
                                   lifetime)
    return Response(200, b"")


def clear_presence(emu, req, params, claims):
    session = _session_id(_body(req), claims)
    state = emu.state
    with state.lock:
        if not state.presence.clear_session(_licensed_user_id(state, params["user_id"]), session):
            raise GraphError(404, "NotFound", f"The presence session '{session}' was not found.")
    return Response(200, b"")


def set_preferred(emu, req, params, claims):
    body = _body(req)
    availability, activity = body.get("availability"), body.get("activity")
    if (availability, activity) not in PREFERRED_COMBINATIONS:
        raise GraphError(400, "BadRequest", f"The availability '{availability}' and activity '{activity}' "
                                            "combination is not supported.")
    if body.get("expirationDuration") is not None:
        lifetime = parse_duration(body["expirationDuration"])
        if lifetime <= 0:
            raise GraphError(400, "BadRequest", "The expirationDuration must be positive.")
    else:  # documented defaults: DoNotDisturb or Busy 1 day, all others 7 days
        lifetime = DAY if availability in ("DoNotDisturb", "Busy") else 7 * DAY
    state = emu.state
    with state.lock:
        state.presence.set_preferred(_licensed_user_id(state, params["user_id"]), availability, activity, lifetime)
    return Response(200, b"")


def clear_preferred(emu, req, params, claims):
    _body(req, required=False)
    state = emu.state
    with state.lock:
        state.presence.clear_preferred(_licensed_user_id(state, params["user_id"]))
    return Response(200, b"")
