import time

import pytest
import requests


def test_429_for_the_next_k_requests(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "429", "path": r"/v1\.0/users", "count": 2,
                                                   "retry_after": 7})
    for _ in range(2):
        resp = emu.graph("GET", "users?$top=1", token=app_token)
        assert resp.status_code == 429 and resp.headers["Retry-After"] == "7"
        assert resp.json()["error"]["code"] == "TooManyRequests"
    assert emu.graph("GET", "users?$top=1", token=app_token).status_code == 200
    assert emu.request_counts()["by_route"]["GET /v1.0/users"] == 3


def test_503_and_path_pattern(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "503", "path": "/organization", "count": 1})
    assert emu.graph("GET", "users?$top=1", token=app_token).status_code == 200
    resp = emu.graph("GET", "organization", token=app_token)
    assert resp.status_code == 503 and "Retry-After" in resp.headers


def test_token_endpoint_can_fail_too(emulator_clean):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "503", "path": "/oauth2/v2.0/token", "count": 1})
    with pytest.raises(requests.HTTPError):
        emu.app_token()
    assert emu.app_token()


def test_delay(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "delay", "path": "/organization", "delay": 0.3})
    started = time.monotonic()
    assert emu.graph("GET", "organization", token=app_token).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_dropped_connection_mid_body(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "drop", "path": "/users", "count": 1})
    with pytest.raises(requests.exceptions.RequestException):
        emu.graph("GET", "users?$top=50", token=app_token)
    assert emu.graph("GET", "users?$top=50", token=app_token).status_code == 200


def _session_of(emu, user_id):
    return emu.control("GET", f"/_emulator/presence/{user_id}")["sessions"]


def _set_presence(emu, token, user_id):
    return emu.graph("POST", f"users/{user_id}/presence/setPresence", token=token, json={
        "sessionId": emu.client_id, "availability": "Busy", "activity": "InACall", "expirationDuration": "PT10M"})


def test_reset_closes_the_connection_before_the_request_is_acted_on(emulator_clean, app_token):
    emu = emulator_clean
    user_id = emu.tenant["users"][0]["id"]
    emu.control("POST", "/_emulator/faults", json={"kind": "reset", "path": "/setPresence$", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        _set_presence(emu, app_token, user_id)
    assert _session_of(emu, user_id) == {}  # nothing was done
    assert emu.control("GET", "/_emulator/faults")["faults"][0]["fired"] == 1
    assert _set_presence(emu, app_token, user_id).status_code == 200
    assert emu.client_id.lower() in _session_of(emu, user_id)


def test_drop_of_an_empty_answer_cuts_the_connection_after_the_action(emulator_clean, app_token):
    emu = emulator_clean
    user_id = emu.tenant["users"][0]["id"]
    emu.control("POST", "/_emulator/faults", json={"kind": "drop", "path": "/setPresence$", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        _set_presence(emu, app_token, user_id)  # setPresence answers 200 with an empty body
    assert emu.client_id.lower() in _session_of(emu, user_id)  # done, but the caller cannot know


def test_reset_on_a_read(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "reset", "path": "/users", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        emu.graph("GET", "users?$top=5", token=app_token)
    assert emu.graph("GET", "users?$top=5", token=app_token).status_code == 200


def test_fraction_and_clear(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "429", "path": "/organization", "fraction": 0.5})
    statuses = [emu.graph("GET", "organization", token=app_token).status_code for _ in range(40)]
    assert 5 < statuses.count(429) < 35 and statuses.count(200) + statuses.count(429) == 40
    emu.control("DELETE", "/_emulator/faults")
    assert emu.graph("GET", "organization", token=app_token).status_code == 200


def test_bad_fault_spec_is_rejected(emulator_clean):
    with pytest.raises(requests.HTTPError):
        emulator_clean.control("POST", "/_emulator/faults", json={"kind": "explode"})


def test_request_counts_reset(emulator_clean, app_token):
    emu = emulator_clean
    emu.graph("GET", "organization", token=app_token)
    assert emu.request_counts()["total"] >= 2
    emu.control("DELETE", "/_emulator/requests")
    assert emu.request_counts()["total"] == 0
