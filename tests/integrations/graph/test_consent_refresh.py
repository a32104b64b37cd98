"""A permission error from an old cached token is retried once with a fresh token: new admin consent is seen by
every process, not only by the one whose Test Connection cleared its cache."""

import time

import pytest
import responses

from integrations.graph import AppCredentials, GraphClient, GraphEndpoints, PermissionDenied
from tests.helpers.graph_mock import mock_entra, token_url
from tests.helpers.graph_payloads import CLIENT, INSTANCE_DISCOVERY, SECRET, TENANT, load

ENDPOINTS = GraphEndpoints()
PRESENCE = "https://graph.microsoft.com/v1.0/communications/getPresencesByUserId"
USERS = "https://graph.microsoft.com/v1.0/users"
DENIED = load("graph_error_403_authorization_request_denied.json")
PRESENCES = {"value": [{"id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd", "availability": "Busy", "activity": "InACall"}]}


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock_entra(mock, ENDPOINTS, TENANT, CLIENT, roles=["User.Read.All"])
        mock.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
        mock.add("GET", USERS, json={"value": []})
        yield mock


def client_at(seconds_later: float) -> GraphClient:
    return GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), ENDPOINTS,
                       sleep=lambda _: None, clock=lambda: time.time() + seconds_later)


def token_requests(rsps) -> int:
    return sum(1 for call in rsps.calls if call.request.url == token_url(ENDPOINTS, TENANT))


def test_old_cached_token_is_refreshed_once_after_a_permission_error(rsps):
    rsps.add("POST", PRESENCE, json=DENIED, status=403)
    rsps.add("POST", PRESENCE, json=PRESENCES)
    client = client_at(seconds_later=600)
    client.get("/users")  # the token is now cached
    assert client.post("/communications/getPresencesByUserId", {"ids": ["87d349ed"]}) == PRESENCES
    assert token_requests(rsps) == 2


def test_fresh_token_permission_error_is_final(rsps):
    rsps.add("POST", PRESENCE, json=DENIED, status=403)
    client = client_at(seconds_later=10)
    client.get("/users")
    with pytest.raises(PermissionDenied):
        client.post("/communications/getPresencesByUserId", {"ids": ["87d349ed"]})
    assert token_requests(rsps) == 1


def test_still_denied_after_refresh_raises_without_looping(rsps):
    rsps.add("POST", PRESENCE, json=DENIED, status=403)
    client = client_at(seconds_later=600)
    client.get("/users")
    with pytest.raises(PermissionDenied):
        client.post("/communications/getPresencesByUserId", {"ids": ["87d349ed"]})
    assert token_requests(rsps) == 2
    assert sum(1 for call in rsps.calls if call.request.url == PRESENCE) == 2
