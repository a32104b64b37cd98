"""Wire details Graph clients depend on: Retry-After forms, the 429 body, delta resets, path aliases, looping
nextLinks (fault), and exact request counts."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.helpers.emulator import all_pages

MS_429_INNER = {"code": "429", "message": "Please retry after", "status": "429"}


# -- Retry-After and the 429 body ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["429", "503"])
@pytest.mark.parametrize(("retry_after", "header"), [(2.128, "2.128"), (7, "7"), (None, None),
                                                     ("Wed, 21 Oct 2037 07:28:00 GMT",
                                                      "Wed, 21 Oct 2037 07:28:00 GMT")])
def test_fault_retry_after_decimal_date_or_absent(emulator_clean, app_token, kind, retry_after, header):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": kind, "path": "/organization", "retry_after": retry_after})
    resp = emu.graph("GET", "organization", token=app_token)
    assert resp.status_code == int(kind)
    assert resp.headers.get("Retry-After") == header


def test_fault_without_retry_after_key_still_sends_one_second(emulator_clean, app_token):
    emulator_clean.control("POST", "/_emulator/faults", json={"kind": "429", "path": "/organization"})
    assert emulator_clean.graph("GET", "organization", token=app_token).headers["Retry-After"] == "1"


def test_fault_retry_after_must_be_sane(emulator_clean):
    for bad in (-1, True, "", {"s": 1}):
        with pytest.raises(requests.HTTPError):
            emulator_clean.control("POST", "/_emulator/faults", json={"kind": "429", "retry_after": bad})


def test_429_body_is_microsofts_shape(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "429", "path": "/organization", "retry_after": 2.128})
    resp = emu.graph("GET", "organization", token=app_token)
    error = resp.json()["error"]
    assert error["code"] == "TooManyRequests" and error["message"] == "Please retry again later."
    inner = error["innerError"]
    assert {k: inner[k] for k in MS_429_INNER} == MS_429_INNER
    assert inner["request-id"] == resp.headers["request-id"] and len(inner["date"]) == 19


@pytest.mark.parametrize(("mode", "check"), [
    ("decimal", lambda h: h is not None and 0 < float(h) <= 30 and "." in h),
    ("integer", lambda h: h is not None and 1 <= int(h) <= 30),
    (None, lambda h: h is None),
    (2.128, lambda h: h == "2.128"),
])
def test_throttling_retry_after_is_configurable(emulator_clean, app_token, mode, check):
    emu = emulator_clean
    snapshot = emu.control("POST", "/_emulator/throttling", json={"limit": 1, "window": 30, "retry_after": mode})
    assert snapshot["retry_after"] == mode
    assert emu.graph("GET", "organization", token=app_token).status_code == 200
    throttled = emu.graph("GET", "organization", token=app_token)
    assert throttled.status_code == 429 and check(throttled.headers.get("Retry-After"))
    inner = throttled.json()["error"]["innerError"]
    assert {k: inner[k] for k in MS_429_INNER} == MS_429_INNER


# -- delta resets ---------------------------------------------------------------------------------------------------
def _delta_link(emu, token, url, headers=None):
    _, _, last = all_pages(emu, url, token, headers)
    return last["@odata.deltaLink"]


def test_410_location_is_the_initial_query_with_an_empty_deltatoken(emulator_clean, app_token):
    emu = emulator_clean
    link = _delta_link(emu, app_token, "users/delta?$select=id,displayName,jobTitle")
    emu.control("POST", "/_emulator/delta/expire", json={"mode": "410"})
    gone = emu.graph("GET", link, token=app_token)
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "syncStateNotFound"
    location = gone.headers["Location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{emu.base_url}/v1.0/users/delta"
    assert parts.query.endswith("$deltatoken=")
    assert parse_qs(parts.query, keep_blank_values=True) == {"$select": ["id,displayName,jobTitle"],
                                                             "$deltatoken": [""]}
    items, _, last = all_pages(emu, location, app_token)
    assert len(items) == 250 and set(items[0]) == {"id", "displayName", "jobTitle"}
    assert "@odata.deltaLink" in last


def test_outlook_contacts_delta_reset_spells_sync_state_not_found(emulator_clean, app_token):
    emu = emulator_clean
    mailbox = emu.tenant["shared_mailboxes"][0]
    base = f"users/{mailbox}/contactFolders/contacts/contacts/delta"
    link = _delta_link(emu, app_token, f"{base}?$select=displayName", {"Prefer": "odata.maxpagesize=100"})
    emu.control("POST", "/_emulator/delta/expire", json={"mode": "400"})
    bad = emu.graph("GET", link, token=app_token)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "SyncStateNotFound"
    emu.control("POST", "/_emulator/delta/expire", json={"mode": "410"})
    gone = emu.graph("GET", link, token=app_token)
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "SyncStateNotFound"
    assert gone.headers["Location"] == f"{emu.base_url}/v1.0/{base}?$select=displayName&$deltatoken="
    items, _, _ = all_pages(emu, gone.headers["Location"], app_token, {"Prefer": "odata.maxpagesize=100"})
    assert len(items) == 24


def test_delta_expired_fault_on_contacts_uses_outlook_spelling(emulator_clean, app_token):
    emu = emulator_clean
    mailbox = emu.tenant["shared_mailboxes"][0]
    link = _delta_link(emu, app_token, f"users/{mailbox}/contactFolders/contacts/contacts/delta",
                       {"Prefer": "odata.maxpagesize=100"})
    emu.control("POST", "/_emulator/faults", json={"kind": "delta_expired_410", "path": "/contacts/delta"})
    gone = emu.graph("GET", link, token=app_token)
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "SyncStateNotFound"
    assert gone.headers["Location"].endswith("/contacts/delta?$deltatoken=")


def test_empty_deltatoken_is_an_initial_round_not_a_token_request(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "delta_expired_400", "path": "/users/delta"})
    resp = emu.graph("GET", "users/delta?$select=id&$deltatoken=", token=app_token)
    assert resp.status_code == 200 and len(resp.json()["value"]) == 100


# -- path aliases ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["users/delta()", "users/microsoft.graph.delta()", "users/Microsoft.Graph.Delta()",
                                      "/users/delta", "/users/delta()"])
def test_delta_function_spellings_and_empty_segment(emulator_clean, app_token, spelling):
    emu = emulator_clean
    emu.control("DELETE", "/_emulator/requests")
    url = f"{emu.base_url}/v1.0/{spelling}?$select=id,displayName"  # a leading "/" gives /v1.0//users...
    items, pages, last = all_pages(emu, url, app_token)
    assert len(items) == 250 and pages == 3 and "@odata.deltaLink" in last
    counts = emu.request_counts()
    assert counts["by_route"] == {"GET /v1.0/users/delta": 3}
    assert counts["total"] == 3


def test_empty_path_segment_is_the_same_resource(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("DELETE", "/_emulator/requests")
    for url in (f"{emu.base_url}/v1.0//users?$top=5", f"{emu.base_url}//v1.0///users?$top=5"):
        resp = emu.graph("GET", url, token=app_token)
        assert resp.status_code == 200 and len(resp.json()["value"]) == 5
    assert emu.request_counts()["by_route"] == {"GET /v1.0/users": 2}
    assert emu.request_counts()["by_path"] == {"GET /v1.0/users": 2}


@pytest.mark.parametrize("function", ["delta()", "microsoft.graph.delta()"])
def test_contact_folder_delta_function_spellings(emulator_clean, app_token, function):
    emu = emulator_clean
    mailbox = emu.tenant["shared_mailboxes"][0]
    url = f"{emu.base_url}/v1.0//users/{mailbox}/contactFolders/contacts/contacts/{function}"
    items, _, last = all_pages(emu, url, app_token, {"Prefer": "odata.maxpagesize=100"})
    assert len(items) == 24 and "@odata.deltaLink" in last
    route = "GET /v1.0/users/{user_id}/contactFolders/{folder_id}/contacts/delta"
    assert emu.request_counts()["by_route"][route] == 1


# -- a looping nextLink (fault) -------------------------------------------------------------------------------------
def test_next_link_loop_fault_repeats_a_link(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "next_link_loop", "path": "/v1\\.0/users", "count": 2})
    first = emu.graph("GET", "users?$top=50&$select=id", token=app_token).json()
    second_url = first["@odata.nextLink"]
    second = emu.graph("GET", second_url, token=app_token).json()
    assert second["@odata.nextLink"] == second_url  # repeated
    third = emu.graph("GET", second_url, token=app_token).json()
    assert third["@odata.nextLink"] == second_url  # count=2: twice
    assert third["value"] == second["value"]
    fourth = emu.graph("GET", second_url, token=app_token).json()
    assert fourth["@odata.nextLink"] != second_url  # used up
    fault = emu.control("GET", "/_emulator/faults")["faults"][0]
    assert fault["fired"] == 2 and fault["remaining"] == 0


def test_next_link_loop_needs_a_count(emulator_clean):
    with pytest.raises(requests.HTTPError):
        emulator_clean.control("POST", "/_emulator/faults", json={"kind": "next_link_loop", "fraction": 0.5})
