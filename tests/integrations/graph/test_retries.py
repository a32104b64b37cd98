"""Transient failures: idempotent requests are sent again (bounded, with backoff and Retry-After), writes never are
after a dropped connection or a 500/502/504, and throttling (429/503) is waited out for every request."""

import json

import pytest
import requests
import responses

from integrations.graph import (
    AppCredentials,
    GraphClient,
    GraphConnectionError,
    GraphEndpoints,
    GraphThrottled,
    GraphUnavailable,
)
from integrations.graph.retry import is_idempotent
from tests.helpers.graph_mock import mock_entra, token_url
from tests.helpers.graph_payloads import CLIENT, SECRET, TENANT

ENDPOINTS = GraphEndpoints(max_retries=3, max_retry_wait=60)
GRAPH = "https://graph.microsoft.com/v1.0"
USERS = f"{GRAPH}/users"
PRESENCES = f"{GRAPH}/communications/getPresencesByUserId"
BATCH = f"{GRAPH}/$batch"
RESET = requests.exceptions.ConnectionError("('Connection aborted.', ConnectionResetError(104, 'reset by peer'))")


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(rsps, sleeps):
    mock_entra(rsps, ENDPOINTS, TENANT, CLIENT)
    return GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), ENDPOINTS, sleep=sleeps.append,
                       jitter=lambda: 1.0)


def graph_calls(rsps, url):
    return [c for c in rsps.calls if c.request.url.split("?")[0] == url]


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("GET", "/users", True),
    ("get", "/users/delta", True),
    ("POST", "/communications/getPresencesByUserId", True),
    ("POST", "/communications/getPresencesByUserId/", True),
    ("POST", "/users/u1/presence/setPresence", False),
    ("POST", "/users/u1/presence/clearPresence", False),
    ("POST", "/subscriptions", False),
    ("PATCH", "/users/u1", False),
    ("DELETE", "/users/u1", False),
])
def test_which_requests_are_idempotent(method, path, expected):
    assert is_idempotent(method, path) is expected


def test_a_dropped_get_is_sent_again_after_a_backoff(rsps, client, sleeps):
    rsps.add("GET", USERS, body=RESET)
    rsps.add("GET", USERS, json={"value": [{"id": "u1"}]})
    assert client.get("/users")["value"] == [{"id": "u1"}]
    assert sleeps == [1.0]  # first backoff ceiling 1 s (jitter 1.0)
    assert len(graph_calls(rsps, USERS)) == 2


def test_a_get_gives_up_after_three_tries(rsps, client, sleeps):
    rsps.add("GET", USERS, body=RESET)
    with pytest.raises(GraphConnectionError) as caught:
        client.get("/users")
    assert caught.value.kind == "network"
    assert len(graph_calls(rsps, USERS)) == 3 and sleeps == [1.0, 2.0]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_errors_on_reads_are_retried_then_raised(rsps, client, sleeps, status):
    rsps.add("GET", USERS, status=status, json={"error": {"code": "UnknownError", "message": "oops"}})
    with pytest.raises(GraphUnavailable) as caught:
        client.get("/users")
    assert caught.value.status == status
    assert len(graph_calls(rsps, USERS)) == 3 and sleeps == [1.0, 2.0]


def test_retry_after_on_a_server_error_is_honoured_within_the_budget(rsps, client, sleeps):
    rsps.add("GET", USERS, status=502, headers={"Retry-After": "20"})
    with pytest.raises(GraphUnavailable):
        client.get("/users")
    assert sleeps == [20.0]  # a second 20 s wait would pass the 30 s budget: give up instead
    assert len(graph_calls(rsps, USERS)) == 2


def test_throttling_and_transient_failures_share_one_backoff(rsps, issued_jitter_client, sleeps):
    rsps.add("GET", USERS, status=503)
    rsps.add("GET", USERS, body=RESET)
    rsps.add("GET", USERS, status=504)
    rsps.add("GET", USERS, json={"value": []})
    assert issued_jitter_client.get("/users") == {"value": []}
    assert sleeps == [0.5, 1.0, 2.0]  # ceilings 1, 2, 4 with no jitter


@pytest.fixture
def issued_jitter_client(rsps, sleeps):
    mock_entra(rsps, ENDPOINTS, TENANT, CLIENT)
    return GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), ENDPOINTS, sleep=sleeps.append,
                       jitter=lambda: 0.0)


def test_the_presence_read_is_retried_after_a_reset(rsps, client, sleeps):
    rsps.add("POST", PRESENCES, body=RESET)
    rsps.add("POST", PRESENCES, json={"value": [{"id": "u1", "availability": "Busy", "activity": "InACall"}]})
    assert client.post("/communications/getPresencesByUserId", {"ids": ["u1"]})["value"][0]["availability"] == "Busy"
    assert len(graph_calls(rsps, PRESENCES)) == 2


@pytest.mark.parametrize("action", ["setPresence", "clearPresence"])
def test_presence_writes_are_not_repeated_after_a_dropped_connection_or_a_5xx(rsps, client, sleeps, action):
    url = f"{GRAPH}/users/u1/presence/{action}"
    rsps.add("POST", url, body=RESET)
    with pytest.raises(GraphConnectionError):
        client.post(f"/users/u1/presence/{action}", {"sessionId": CLIENT})
    assert len(graph_calls(rsps, url)) == 1 and sleeps == []
    rsps.replace("POST", url, status=504)
    with pytest.raises(GraphUnavailable):
        client.post(f"/users/u1/presence/{action}", {"sessionId": CLIENT})
    assert len(graph_calls(rsps, url)) == 2 and sleeps == []


@pytest.mark.parametrize("status", [429, 503])
def test_a_throttled_write_is_sent_again_after_retry_after(rsps, client, sleeps, status):
    url = f"{GRAPH}/users/u1/presence/setPresence"
    rsps.add("POST", url, status=status, headers={"Retry-After": "3"})
    rsps.add("POST", url, status=200, body="")
    assert client.post("/users/u1/presence/setPresence", {"sessionId": CLIENT}) is None
    assert sleeps == [3.0] and len(graph_calls(rsps, url)) == 2


def test_a_write_whose_token_request_failed_is_still_sent(rsps, sleeps):
    rsps.add("POST", token_url(ENDPOINTS, TENANT), body=RESET)  # registered first: answers the first token request
    mock_entra(rsps, ENDPOINTS, TENANT, CLIENT)
    client = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), ENDPOINTS, sleep=sleeps.append,
                         jitter=lambda: 1.0)
    url = f"{GRAPH}/users/u1/presence/setPresence"
    rsps.add("POST", url, status=200, body="")
    assert client.post("/users/u1/presence/setPresence", {"sessionId": CLIENT}) is None
    assert len(graph_calls(rsps, url)) == 1 and sleeps == [1.0]


def test_a_batch_of_gets_is_sent_again_but_a_batch_with_a_write_is_not(rsps, client, sleeps):
    answer = {"responses": [{"id": "1", "status": 200, "body": {"id": "u1"}}]}
    rsps.add("POST", BATCH, body=RESET)
    rsps.add("POST", BATCH, json=answer)
    assert client.batch([{"url": "/users/u1"}])[0]["body"] == {"id": "u1"}
    assert len(graph_calls(rsps, BATCH)) == 2
    rsps.add("POST", BATCH, body=RESET)
    with pytest.raises(GraphConnectionError):
        client.batch([{"url": "/users/u1"}, {"method": "PATCH", "url": "/users/u2", "body": {"jobTitle": "x"},
                                             "headers": {"Content-Type": "application/json"}}])
    assert len(graph_calls(rsps, BATCH)) == 3
    assert json.loads(graph_calls(rsps, BATCH)[-1].request.body)["requests"][1]["method"] == "PATCH"


def test_no_transient_wait_runs_past_the_deadline(rsps, sleeps):
    now = [1000.0]
    mock_entra(rsps, ENDPOINTS, TENANT, CLIENT)
    client = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), ENDPOINTS, sleep=sleeps.append,
                         jitter=lambda: 1.0, clock=lambda: now[0])
    rsps.add("GET", USERS, status=502, headers={"Retry-After": "10"})
    with client.deadline(5), pytest.raises(GraphUnavailable):
        client.get("/users")
    assert sleeps == []


def test_persistent_throttling_still_ends_in_graph_throttled(rsps, client, sleeps):
    rsps.add("GET", USERS, status=503, headers={"Retry-After": "1"})
    with pytest.raises(GraphThrottled):
        client.get("/users")
    assert sleeps == [1.0, 1.0, 1.0]


def test_a_503_is_retried_over_a_new_connection_and_a_429_is_not(rsps, client, sleeps, monkeypatch):
    closed = []
    monkeypatch.setattr(client.session, "close", lambda: closed.append(True))
    rsps.add("GET", USERS, status=503, headers={"Retry-After": "1"})
    rsps.add("GET", USERS, json={"value": []})
    client.get("/users")
    assert closed == [True] and sleeps == [1.0]
    rsps.remove("GET", USERS)
    rsps.add("GET", USERS, status=429, headers={"Retry-After": "2"})
    rsps.add("GET", USERS, json={"value": []})
    client.get("/users")
    assert closed == [True] and sleeps == [1.0, 2.0]
