"""Presence combined the way Teams does (presence resource, setPresence and setUserPreferredPresence docs)."""

import time

import pytest
import requests

SEEDED_AVAILABLE = 0  # seed.PRESENCE_PAIRS[0]: the first user's Teams client shows Available/Available


def user(emu, index):
    return emu.tenant["users"][index]["id"]


def signed_out_user(emu):
    """A user not signed in to any Teams client: only application sessions count."""
    uid = user(emu, 1)
    emu.control("POST", f"/_emulator/presence/{uid}", json={"signedIn": False})
    return uid


def current(emu, token, user_id):
    resp = emu.graph("POST", "communications/getPresencesByUserId", token=token, json={"ids": [user_id]})
    assert resp.status_code == 200, resp.text
    value = resp.json()["value"][0]
    return value["availability"], value["activity"]


def set_presence(emu, token, user_id, availability, activity, duration="PT10M", session=None):
    body = {"sessionId": session or emu.client_id, "availability": availability, "activity": activity}
    if duration:
        body["expirationDuration"] = duration
    return emu.graph("POST", f"users/{user_id}/presence/setPresence", token=token, json=body)


def test_preferred_presence_wins_over_application_sessions(emulator_clean, app_token):
    emu = emulator_clean
    uid = user(emu, SEEDED_AVAILABLE)
    emu.control("POST", f"/_emulator/presence/{uid}", json={"availability": "Away", "activity": "Away"})
    assert current(emu, app_token, uid) == ("Away", "Away")
    assert set_presence(emu, app_token, uid, "Busy", "InACall").status_code == 200
    assert current(emu, app_token, uid) == ("Away", "Away")  # user-configured > app-configured
    emu.control("POST", f"/_emulator/presence/{uid}", json={"availability": None})
    assert current(emu, app_token, uid) == ("Busy", "InACall")
    session = {"sessionId": emu.client_id}
    assert emu.graph("POST", f"users/{uid}/presence/clearPresence", token=app_token, json=session).status_code == 200
    assert current(emu, app_token, uid) == ("Available", "Available")  # back to the Teams client's own state


def test_set_user_preferred_presence_and_clear(emulator_clean, app_token):
    emu = emulator_clean
    uid = user(emu, SEEDED_AVAILABLE)
    body = {"availability": "DoNotDisturb", "activity": "DoNotDisturb", "expirationDuration": "PT8H"}
    resp = emu.graph("POST", f"users/{uid}/presence/setUserPreferredPresence", token=app_token, json=body)
    assert resp.status_code == 200 and resp.content == b""
    assert set_presence(emu, app_token, uid, "Busy", "InACall").status_code == 200
    assert current(emu, app_token, uid) == ("DoNotDisturb", "DoNotDisturb")
    described = emu.control("GET", f"/_emulator/presence/{uid}")
    assert described["preferred"]["availability"] == "DoNotDisturb"
    assert 8 * 3600 - 60 < described["preferred"]["expires"] - time.time() <= 8 * 3600
    resp = emu.graph("POST", f"users/{uid}/presence/clearUserPreferredPresence", token=app_token)
    assert resp.status_code == 200
    assert current(emu, app_token, uid) == ("Busy", "InACall")


def test_preferred_presence_default_expiry_and_combinations(emulator_clean, app_token):
    emu = emulator_clean
    uid = user(emu, SEEDED_AVAILABLE)
    url = f"users/{uid}/presence/setUserPreferredPresence"
    assert emu.graph("POST", url, token=app_token, json={"availability": "Busy", "activity": "Busy"}).ok
    expires = emu.control("GET", f"/_emulator/presence/{uid}")["preferred"]["expires"]
    assert 86400 - 60 < expires - time.time() <= 86400  # DoNotDisturb/Busy: 1 day
    assert emu.graph("POST", url, token=app_token, json={"availability": "Offline", "activity": "OffWork"}).ok
    expires = emu.control("GET", f"/_emulator/presence/{uid}")["preferred"]["expires"]
    assert 7 * 86400 - 60 < expires - time.time() <= 7 * 86400  # others: 7 days
    assert current(emu, app_token, uid) == ("Offline", "OffWork")
    bad = emu.graph("POST", url, token=app_token, json={"availability": "Busy", "activity": "InACall"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BadRequest"


def test_preferred_presence_needs_a_session_else_offline(emulator_clean, app_token):
    emu = emulator_clean
    uid = signed_out_user(emu)
    assert current(emu, app_token, uid) == ("Offline", "Offline")
    url = f"users/{uid}/presence/setUserPreferredPresence"
    assert emu.graph("POST", url, token=app_token, json={"availability": "Available", "activity": "Available"}).ok
    assert current(emu, app_token, uid) == ("Offline", "Offline")  # no presence session exists
    assert set_presence(emu, app_token, uid, "Busy", "InACall").status_code == 200
    assert current(emu, app_token, uid) == ("Available", "Available")  # now a session exists


def test_sessions_combine_by_severity(emulator_clean, app_token):
    emu = emulator_clean
    uid = signed_out_user(emu)
    assert set_presence(emu, app_token, uid, "Away", "Away").status_code == 200
    assert current(emu, app_token, uid) == ("Away", "Away")
    emu.control("POST", f"/_emulator/presence/{uid}", json={"signedIn": True})  # Teams client: Available
    assert current(emu, app_token, uid) == ("Available", "Available")  # Available > Away
    assert set_presence(emu, app_token, uid, "Busy", "InAConferenceCall").status_code == 200
    assert current(emu, app_token, uid) == ("Busy", "InAConferenceCall")  # Busy > Available
    assert set_presence(emu, app_token, uid, "DoNotDisturb", "Presenting").status_code == 200
    assert current(emu, app_token, uid) == ("DoNotDisturb", "Presenting")
    emu.control("POST", f"/_emulator/presence/{uid}", json={"signedIn": False})
    emu.graph("POST", f"users/{uid}/presence/clearPresence", token=app_token, json={"sessionId": emu.client_id})
    assert current(emu, app_token, uid) == ("Offline", "Offline")  # the only session was cleared


class FakeClock:
    """Stands in for the emulator's presence clock: time moves only when the test says so (no sleeps, no load
    dependence: a loaded machine cannot skip a stage)."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_available_session_fades_in_stages(emulator_clean, app_token):
    emu = emulator_clean
    config = emu.control("GET", "/_emulator/presence-config")
    assert (config["idle_timeout"], config["away_timeout"]) == (300.0, 300.0)
    clock = FakeClock()
    emu.server.emulator.state.presence.clock = clock
    uid = signed_out_user(emu)
    assert set_presence(emu, app_token, uid, "Available", "Available", duration="PT1H").status_code == 200
    clock.advance(299)
    assert current(emu, app_token, uid) == ("Available", "Available")
    clock.advance(2)  # 301 s without an update
    assert current(emu, app_token, uid) == ("Available", "AvailableInactive")
    clock.advance(300)  # 601 s
    assert current(emu, app_token, uid) == ("Away", "Away")
    assert set_presence(emu, app_token, uid, "Available", "Available", duration="PT1H").status_code == 200  # keep-alive
    assert current(emu, app_token, uid) == ("Available", "Available")
    emu.control("POST", "/_emulator/presence-config", json={"idle_timeout": 20, "away_timeout": 0})
    clock.advance(21)
    assert current(emu, app_token, uid) == ("Away", "Away")  # straight to Away


def test_busy_session_does_not_fade_but_expires(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/presence-config", json={"idle_timeout": 0, "away_timeout": 0})
    uid = signed_out_user(emu)
    assert set_presence(emu, app_token, uid, "Busy", "InACall", duration="PT5M").status_code == 200
    assert current(emu, app_token, uid) == ("Busy", "InACall")
    state = emu.server.emulator.state
    with state.lock:  # jump past the session's expiry
        state.presence.sessions[uid][emu.client_id.lower()]["expires"] = time.time() - 1
    assert current(emu, app_token, uid) == ("Offline", "Offline")
    cleared = emu.graph("POST", f"users/{uid}/presence/clearPresence", token=app_token,
                        json={"sessionId": emu.client_id})
    assert cleared.status_code == 404  # an expired session no longer exists


@pytest.mark.parametrize(("body", "status"), [
    ({"sessionId": "22553876-f5ab-4529-bffb-cfe50aa89f87", "availability": "Busy", "activity": "InACall"}, 400),
    ({"availability": "Busy", "activity": "InACall"}, 400),
    ({"availability": "Busy", "activity": "InACall", "expirationDuration": "PT4M"}, 400),
    ({"availability": "Busy", "activity": "InACall", "expirationDuration": "PT4H1M"}, 400),
    ({"availability": "Busy", "activity": "InACall", "expirationDuration": "soon"}, 400),
    ({"availability": "Busy", "activity": "InAMeeting"}, 400),
    ({"availability": "Busy", "activity": "InACall", "expirationDuration": "PT5M"}, 200),
    ({"availability": "Busy", "activity": "InACall", "expirationDuration": "PT4H"}, 200),
    ({"availability": "Available", "activity": "Available"}, 200),
])
def test_set_presence_validation(emulator_clean, app_token, body, status):
    emu = emulator_clean
    uid = user(emu, SEEDED_AVAILABLE)
    if "sessionId" not in body and status == 200:
        body = {"sessionId": emu.client_id.upper(), **body}  # GUIDs compare case-insensitively
    elif body.get("expirationDuration") or body.get("activity") != "InACall":
        body = {"sessionId": emu.client_id, **body}
    resp = emu.graph("POST", f"users/{uid}/presence/setPresence", token=app_token, json=body)
    assert resp.status_code == status, resp.text
    if status == 400:
        error = resp.json()["error"]
        assert error["code"] == "BadRequest" and error["innerError"]["request-id"] == resp.headers["request-id"]


def test_clear_presence_needs_the_application_session(emulator_clean, app_token):
    emu = emulator_clean
    uid = user(emu, SEEDED_AVAILABLE)
    url = f"users/{uid}/presence/clearPresence"
    assert emu.graph("POST", url, token=app_token, json={"sessionId": emu.client_id}).status_code == 404
    assert set_presence(emu, app_token, uid, "Busy", "InACall").status_code == 200
    other = emu.graph("POST", url, token=app_token, json={"sessionId": "22553876-f5ab-4529-bffb-cfe50aa89f87"})
    assert other.status_code == 400
    assert emu.graph("POST", url, token=app_token, json={"sessionId": emu.client_id}).status_code == 200


def test_more_than_650_ids_is_graphs_error_shape(emulator_clean, app_token):
    emu = emulator_clean
    ids = [u["id"] for u in emu.tenant["users"]] + [f"00000000-0000-4000-8000-{i:012d}" for i in range(650)]
    resp = emu.graph("POST", "communications/getPresencesByUserId", token=app_token, json={"ids": ids[:650]})
    assert resp.status_code == 200
    resp = emu.graph("POST", "communications/getPresencesByUserId", token=app_token, json={"ids": ids[:651]})
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["code"] == "BadRequest" and "650" in error["message"]
    assert set(error["innerError"]) >= {"date", "request-id", "client-request-id"}


def test_get_presences_rate_limit_per_app(emulator_clean, app_token):
    emu = emulator_clean
    config = emu.control("GET", "/_emulator/presence-config")
    assert (config["rate_limit"], config["rate_window"]) == (1500, 30.0)
    emu.control("POST", "/_emulator/presence-config", json={"rate_limit": 3, "rate_window": 30,
                                                            "retry_after": "decimal"})
    ids = {"ids": [user(emu, 0)]}
    statuses = [emu.graph("POST", "communications/getPresencesByUserId", token=app_token, json=ids)
                for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    throttled = statuses[-1]
    assert 0 < float(throttled.headers["Retry-After"]) <= 30
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    other = emu.graph("GET", f"users/{user(emu, 0)}/presence", token=app_token)
    assert other.status_code == 200  # the budget is getPresencesByUserId's own
    emu.reset()
    assert emu.control("GET", "/_emulator/presence-config")["rate_limit"] == 1500


def test_unlicensed_user(emulator_clean, app_token):
    emu = emulator_clean
    uid = user(emu, SEEDED_AVAILABLE)
    described = emu.control("POST", f"/_emulator/presence/{uid}", json={"licensed": False})
    assert described["licensed"] is False
    assert current(emu, app_token, uid) == ("PresenceUnknown", "PresenceUnknown")
    body = emu.graph("GET", f"users/{uid}/presence", token=app_token).json()
    assert (body["availability"], body["activity"]) == ("PresenceUnknown", "PresenceUnknown")
    resp = set_presence(emu, app_token, uid, "Busy", "InACall")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "NotFound"
    emu.control("POST", f"/_emulator/presence/{uid}", json={"licensed": True})
    assert current(emu, app_token, uid) == ("Available", "Available")


def test_control_presence_rejects_bad_input(emulator_clean):
    emu = emulator_clean
    uid = user(emu, 0)
    for body in ({"licensed": "no"}, {"signedIn": 1}, {"availability": 5}, {"availability": "Busy",
                                                                             "expirationDuration": "x"}):
        with pytest.raises(requests.HTTPError) as caught:
            emu.control("POST", f"/_emulator/presence/{uid}", json=body)
        assert caught.value.response.status_code == 400
    for body in ({"idle_timeout": -1}, {"rate_limit": "many"}, {"rate_window": 0}):
        with pytest.raises(requests.HTTPError):
            emu.control("POST", "/_emulator/presence-config", json=body)
