"""The product's Graph client against the emulator over HTTPS: paging, delta, throttling, faults, batch."""

import pytest

from integrations.graph import (
    AppCredentials,
    DeltaTokenExpired,
    GraphClient,
    GraphConnectionError,
    GraphEndpoints,
    GraphThrottled,
    PagingLoopDetected,
    PermissionDenied,
)

pytestmark = pytest.mark.integration
SELECT = "id,displayName,mail,jobTitle,department,accountEnabled"


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(emulator_clean, sleeps):
    emu = emulator_clean
    endpoints = GraphEndpoints(authority_host=emu.base_url, graph_url=emu.base_url, ca_bundle=emu.ca_path,
                               max_retries=3)
    credentials = AppCredentials(emu.tenant_id, emu.client_id, client_secret=emu.client_secret)
    graph = GraphClient(credentials, endpoints, sleep=sleeps.append, jitter=lambda: 1.0)
    yield graph
    graph.close()


def user_count(emu) -> int:
    return emu.control("GET", "/_emulator/state")["users"]


def test_paging_returns_every_user_exactly_once(emulator_clean, client):
    emulator_clean.control("DELETE", "/_emulator/requests")
    pages = list(client.iter_pages("/users", params={"$select": SELECT, "$top": "100"}))
    ids = [user["id"] for page in pages for user in page]
    expected = user_count(emulator_clean)
    assert len(ids) == len(set(ids)) == expected
    assert len(pages) == -(-expected // 100)
    assert client.request_count == len(pages)
    assert emulator_clean.request_counts()["by_route"]["GET /v1.0/users"] == len(pages)


def test_delta_round_reports_exactly_the_changes(emulator_clean, client):
    emu = emulator_clean
    delta_link = None
    for page in client.delta_round("/users/delta", params={"$select": SELECT}):
        delta_link = page.delta_link or delta_link
    assert delta_link
    users = [u for page in client.iter_pages("/users", params={"$select": "id", "$top": "999"}) for u in page]
    emu.control("PATCH", f"/_emulator/users/{users[0]['id']}", json={"jobTitle": "Head of Telephony"})
    emu.control("POST", f"/_emulator/users/{users[1]['id']}/soft-delete")
    emu.control("DELETE", f"/_emulator/users/{users[2]['id']}")
    created = emu.control("POST", "/_emulator/users", json={"displayName": "New Hire", "mailNickname": "new.hire"})
    changes = [item for page in client.delta_round(delta_link) for item in page.items]
    by_id = {item["id"]: item for item in changes}
    assert set(by_id) == {users[0]["id"], users[1]["id"], users[2]["id"], created["id"]}
    assert by_id[users[0]["id"]]["jobTitle"] == "Head of Telephony"
    assert by_id[users[1]["id"]]["@removed"] == {"reason": "changed"}
    assert by_id[users[2]["id"]]["@removed"] == {"reason": "deleted"}
    assert by_id[created["id"]]["displayName"] == "New Hire"


def test_retry_after_is_honoured(emulator_clean, client, sleeps):
    emulator_clean.control("POST", "/_emulator/faults",
                           json={"kind": "429", "path": "^/v1.0/users", "count": 2, "retry_after": 7})
    body = client.get("/users", params={"$top": "1"})
    assert len(body["value"]) == 1
    assert sleeps == [7.0, 7.0]


def test_persistent_throttling_raises_and_reads_nothing(emulator_clean, client, sleeps):
    emulator_clean.control("POST", "/_emulator/faults",
                           json={"kind": "429", "path": "^/v1.0/users", "count": 10, "retry_after": 3})
    with pytest.raises(GraphThrottled) as raised:
        list(client.iter_items("/users", params={"$top": "999"}))
    assert raised.value.retry_after == 3
    assert len(sleeps) == 3


def test_dropped_connection_is_a_network_error(emulator_clean, client):
    client.acquire_app_token()
    emulator_clean.control("POST", "/_emulator/faults", json={"kind": "drop", "path": "^/v1.0/users", "count": 5})
    with pytest.raises(GraphConnectionError) as raised:
        client.get("/users", params={"$top": "999"})
    assert raised.value.kind == "network"


def test_missing_permission_is_permission_denied(emulator_clean, client):
    emulator_clean.control("POST", "/_emulator/app/permissions", json={"revoke": ["Presence.Read.All",
                                                                              "Presence.ReadWrite.All"]})
    user_id = next(client.iter_items("/users", params={"$top": "1", "$select": "id"}))["id"]
    with pytest.raises(PermissionDenied) as raised:
        client.post("/communications/getPresencesByUserId", {"ids": [user_id]})
    assert raised.value.status == 403 and raised.value.request_id


def test_batch_of_45_takes_three_posts(emulator_clean, client):
    users = [u["id"] for u in client.iter_items("/users", params={"$top": "45", "$select": "id"})][:45]
    emulator_clean.control("DELETE", "/_emulator/requests")
    answers = client.batch([{"method": "GET", "url": f"/users/{user_id}?$select=id,displayName"} for user_id in users])
    assert [answer["body"]["id"] for answer in answers] == users
    assert all(answer["status"] == 200 for answer in answers)
    assert emulator_clean.request_counts()["by_route"]["POST /v1.0/$batch"] == 3


def test_consent_granted_after_the_token_was_cached_is_picked_up(emulator_clean):
    import time

    emu = emulator_clean
    emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["Presence.Read.All", "Presence.ReadWrite.All"]})
    endpoints = GraphEndpoints(authority_host=emu.base_url, graph_url=emu.base_url, ca_bundle=emu.ca_path)
    credentials = AppCredentials(emu.tenant_id, emu.client_id, client_secret=emu.client_secret)
    later = GraphClient(credentials, endpoints, clock=lambda: time.time() + 600)  # the cached token looks old
    user_id = next(later.iter_items("/users", params={"$top": "1", "$select": "id"}))["id"]
    emu.control("POST", "/_emulator/app/permissions", json={"grant": ["Presence.Read.All"]})
    answer = later.post("/communications/getPresencesByUserId", {"ids": [user_id]})
    assert answer["value"][0]["id"] == user_id
    later.close()


def test_decimal_and_absent_retry_after_from_the_emulator(emulator_clean, client, sleeps):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "429", "path": "^/v1.0/users", "count": 1,
                                                   "retry_after": 2.128})
    emu.control("POST", "/_emulator/faults", json={"kind": "503", "path": "^/v1.0/users", "count": 2,
                                                   "retry_after": None})
    emu.control("DELETE", "/_emulator/requests")
    assert len(client.get("/users", params={"$top": "3"})["value"]) == 3
    assert sleeps == [2.128, 2.0, 4.0]  # then exponential backoff for retries 2 and 3 (jitter 1.0): 2 s, 4 s
    assert emu.request_counts()["by_route"]["GET /v1.0/users"] == 4


def test_throttling_without_retry_after_backs_off(emulator_clean, client, sleeps):
    emu = emulator_clean
    client.acquire_app_token()
    emu.control("POST", "/_emulator/throttling", json={"limit": 1, "window": 30, "retry_after": None})
    client.get("/users", params={"$top": "1"})
    with pytest.raises(GraphThrottled) as raised:
        client.get("/users", params={"$top": "1"})
    assert raised.value.retry_after is None and raised.value.code == "TooManyRequests"
    assert sleeps == [1.0, 2.0, 4.0]


@pytest.mark.parametrize("mode", ["400", "410"])
def test_expired_delta_link_raises_and_the_resync_reads_everyone(emulator_clean, client, mode):
    emu = emulator_clean
    delta_link = [p for p in client.delta_round("/users/delta", params={"$select": SELECT})][-1].delta_link
    emu.control("POST", "/_emulator/delta/expire", json={"mode": mode})
    with pytest.raises(DeltaTokenExpired) as raised:
        list(client.delta_round(delta_link))
    assert raised.value.status == int(mode) and raised.value.code == "syncStateNotFound"
    if mode == "410":
        assert raised.value.location.endswith("&$deltatoken=") and "$select=" in raised.value.location
        start, params = raised.value.location, None
    else:
        assert raised.value.location is None
        start, params = "/users/delta", {"$select": SELECT}
    items = [i for page in client.delta_round(start, params=params) for i in page.items]
    assert len({i["id"] for i in items}) == user_count(emu)
    assert set(items[0]) == set(SELECT.split(","))


def test_outlook_contacts_delta_reset_is_delta_token_expired(emulator_clean, client):
    emu = emulator_clean
    mailbox = emu.tenant["shared_mailboxes"][0]
    path = f"/users/{mailbox}/contactFolders/contacts/contacts/delta()"
    delta_link = [p for p in client.delta_round(path)][-1].delta_link
    emu.control("POST", "/_emulator/delta/expire", json={"mode": "400"})
    with pytest.raises(DeltaTokenExpired) as raised:
        list(client.delta_round(delta_link))
    assert (raised.value.status, raised.value.code) == (400, "SyncStateNotFound")


@pytest.mark.parametrize("path", ["/users", "/users/delta"])
def test_a_looping_next_link_is_reported_not_followed(emulator_clean, client, path):
    emu = emulator_clean
    client.acquire_app_token()
    emu.control("POST", "/_emulator/faults", json={"kind": "next_link_loop", "path": "^/v1\\.0/users", "count": 50})
    emu.control("DELETE", "/_emulator/requests")
    reader = client.delta_round if path.endswith("delta") else client.iter_pages
    with pytest.raises(PagingLoopDetected) as raised:
        list(reader(path, params={"$select": "id"} if path.endswith("delta") else {"$top": "10", "$select": "id"}))
    assert raised.value.path == path and raised.value.pages == 2
    assert client.request_count == 2  # page 1, page 2 (whose nextLink repeats its own) -> stop
    assert emu.request_counts()["total"] == 2
