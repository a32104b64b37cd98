"""The product's Graph client against the emulator over HTTPS: paging, delta, throttling, faults, batch."""

import pytest

from integrations.graph import (
    AppCredentials,
    GraphClient,
    GraphConnectionError,
    GraphEndpoints,
    GraphThrottled,
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
    graph = GraphClient(credentials, endpoints, sleep=sleeps.append)
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
