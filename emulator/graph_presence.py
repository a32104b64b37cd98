"""Graph presence: getPresencesByUserId (<= 650 ids), /users/{id}/presence, setPresence, clearPresence."""

import datetime as dt
import re

from emulator.graph_common import GraphError, context_url, graph_json
from emulator.util import utcnow
from emulator.web import Response

PRESENCE_READ = ("Presence.Read.All", "Presence.ReadWrite.All")
PRESENCE_WRITE = ("Presence.ReadWrite.All",)
DENIED = ("Forbidden", "Insufficient privileges to complete the operation.")
MAX_IDS = 650
SET_COMBINATIONS = {("Available", "Available"), ("Busy", "InACall"), ("Busy", "InAConferenceCall"),
                    ("Away", "Away"), ("DoNotDisturb", "Presenting")}


def register(router) -> None:
    router.add("POST", "/v1.0/communications/getPresencesByUserId", get_presences, perms=PRESENCE_READ,
               denied=DENIED)
    router.add("GET", "/v1.0/communications/presences/{user_id}", get_presence, perms=PRESENCE_READ, denied=DENIED)
    router.add("GET", "/v1.0/users/{user_id}/presence", get_presence, perms=PRESENCE_READ, denied=DENIED)
    router.add("POST", "/v1.0/users/{user_id}/presence/setPresence", set_presence, perms=PRESENCE_WRITE,
               denied=DENIED)
    router.add("POST", "/v1.0/users/{user_id}/presence/clearPresence", clear_presence, perms=PRESENCE_WRITE,
               denied=DENIED)


def presence_object(state, user_id: str) -> dict:
    availability, activity = state.effective_presence(user_id)
    return {"@odata.type": "#microsoft.graph.presence", "id": user_id, "availability": availability,
            "activity": activity, "statusMessage": None,
            "outOfOfficeSettings": {"message": None, "isOutOfOffice": activity == "OutOfOffice"}}


def _body(req) -> dict:
    try:
        body = req.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")
    return body


def get_presences(emu, req, params, claims):
    ids = _body(req).get("ids")
    if not isinstance(ids, list) or not ids:
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


def get_presence(emu, req, params, claims):
    state = emu.state
    with state.lock:
        body = presence_object(state, _user_id(state, params["user_id"]))
    return graph_json({"@odata.context": context_url(req, "communications/presences/$entity"), **body})


def _duration(text: str | None) -> dt.timedelta:
    if not text:
        return dt.timedelta(minutes=5)
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", text)
    if not m or not any(m.groups()):
        raise GraphError(400, "BadRequest", f"Invalid expirationDuration '{text}'.")
    hours, minutes, seconds = (int(g or 0) for g in m.groups())
    value = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if not dt.timedelta(minutes=5) <= value <= dt.timedelta(hours=4):
        raise GraphError(400, "BadRequest", "expirationDuration must be between PT5M and PT4H.")
    return value


def set_presence(emu, req, params, claims):
    body = _body(req)
    session, availability, activity = body.get("sessionId"), body.get("availability"), body.get("activity")
    if not session or not availability or not activity:
        raise GraphError(400, "BadRequest", "sessionId, availability and activity are required.")
    if (availability, activity) not in SET_COMBINATIONS:
        raise GraphError(400, "BadRequest", f"The availability '{availability}' and activity '{activity}' "
                                            "combination is not supported.")
    expires = utcnow() + _duration(body.get("expirationDuration"))
    state = emu.state
    with state.lock:
        state.set_presence(_user_id(state, params["user_id"]), availability, activity, session, expires)
    return Response(200, b"")


def clear_presence(emu, req, params, claims):
    session = _body(req).get("sessionId")
    if not session:
        raise GraphError(400, "BadRequest", "sessionId is required.")
    state = emu.state
    with state.lock:
        state.clear_presence(_user_id(state, params["user_id"]), session)
    return Response(200, b"")
