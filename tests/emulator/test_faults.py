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
