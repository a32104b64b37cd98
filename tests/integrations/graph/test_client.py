"""GraphClient requests: paging, delta rounds, retries, typed errors, and URL safety."""

from urllib.parse import urlsplit

import pytest
import requests
import responses
from hypothesis import given, settings
from hypothesis import strategies as st
from responses import matchers

from integrations.graph import (
    AppCredentials,
    DeltaTokenExpired,
    ForeignHostRefused,
    GraphClient,
    GraphConnectionError,
    GraphEndpoints,
    GraphError,
    GraphThrottled,
    NotFound,
    PermissionDenied,
    UnexpectedResponse,
)
from integrations.graph.parsing import parse_retry_after
from tests.helpers.graph_mock import mock_entra, token_url
from tests.helpers.graph_payloads import CLIENT, INSTANCE_DISCOVERY, SECRET, TENANT, load

ENDPOINTS = GraphEndpoints(max_retries=3, max_retry_wait=60)
USERS = "https://graph.microsoft.com/v1.0/users"
DELTA = "https://graph.microsoft.com/v1.0/users/delta"




def query_of(url):
    return matchers.query_string_matcher(requests.utils.urlparse(url).query)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def issued(rsps):
    tokens = mock_entra(rsps, ENDPOINTS, TENANT, CLIENT)
    rsps.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
    return tokens


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(issued, sleeps):
    credentials = AppCredentials(TENANT, CLIENT, client_secret=SECRET)
    return GraphClient(credentials, ENDPOINTS, sleep=sleeps.append, jitter=lambda: 1.0)


def graph_calls(rsps):
    return [c for c in rsps.calls if c.request.url.startswith("https://graph.microsoft.com/")]


def error_headers(fixture_body, **extra):
    inner = fixture_body["error"]["innerError"]
    return {"request-id": inner["request-id"], "client-request-id": inner["client-request-id"], **extra}


# -- paging ---------------------------------------------------------------------------------------------------------
def test_iter_pages_follows_next_link_verbatim_once_per_page(rsps, client, issued):
    page1, page2 = load("users_page_1.json"), load("users_page_2.json")
    next_link = page1["@odata.nextLink"]
    rsps.add("GET", USERS, json=page1, match=[matchers.query_param_matcher({"$select": "id,displayName", "$top": "2"})])
    rsps.add("GET", USERS, json=page2, match=[query_of(next_link)])

    pages = list(client.iter_pages("/users", params={"$select": "id,displayName", "$top": 2},
                                   headers={"ConsistencyLevel": "eventual"}))

    assert [len(p) for p in pages] == [2, 1]
    calls = graph_calls(rsps)
    assert len(calls) == 2
    assert calls[1].request.url == next_link
    assert all(c.request.headers["Authorization"] == f"Bearer {issued[0]}" for c in calls)
    assert all(c.request.headers["ConsistencyLevel"] == "eventual" for c in calls)
    assert client.request_count == 2
    assert client.requests_by_path["/users"] == 2


def test_iter_items_yields_every_item(rsps, client):
    page1 = load("users_page_1.json")
    rsps.add("GET", USERS, json=page1, match=[matchers.query_param_matcher({})])
    rsps.add("GET", USERS, json=load("users_page_2.json"), match=[query_of(page1["@odata.nextLink"])])
    names = [u["displayName"] for u in client.iter_items("/users")]
    assert names == ["Adele Vance", "Alex Wilber", "Diego Siciliani"]


@pytest.mark.parametrize(
    "foreign",
    [
        "https://evil.example/v1.0/users?$skiptoken=abc",
        "https://graph.microsoft.com.evil.example/v1.0/users?$skiptoken=abc",
        "https://graph.microsoft.com@evil.example/v1.0/users",
        "http://graph.microsoft.com/v1.0/users?$skiptoken=abc",
        "https://graph.microsoft.com:8443/v1.0/users",
    ],
)
def test_next_link_to_a_foreign_host_is_refused(rsps, client, foreign):
    page = dict(load("users_page_1.json"), **{"@odata.nextLink": foreign})
    rsps.add("GET", USERS, json=page)
    pages = client.iter_pages("/users")
    assert len(next(pages)) == 2
    with pytest.raises(ForeignHostRefused):
        next(pages)
    assert len(graph_calls(rsps)) == 1
    assert len(rsps.calls) == 3  # openid-configuration, token, first page: nothing else went out


@settings(max_examples=300)
@given(st.one_of(st.text(), st.from_regex(r"https?://[a-z.@:\[\]0-9]*(/.*)?", fullmatch=True)))
def test_resolve_never_targets_another_origin(path_or_url):
    client = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), ENDPOINTS)  # no HTTP until used
    try:
        url = client.resolve(path_or_url)
    except ForeignHostRefused:
        return
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "graph.microsoft.com")


def test_relative_paths_and_absolute_graph_urls(rsps, client):
    rsps.add("GET", f"{USERS}/87d349ed-44d7-43e1-9a83-5f2406dee5bd", json={"id": "87d349ed"})
    assert client.get("users/87d349ed-44d7-43e1-9a83-5f2406dee5bd") == {"id": "87d349ed"}
    assert client.get(f"{USERS}/87d349ed-44d7-43e1-9a83-5f2406dee5bd") == {"id": "87d349ed"}


# -- delta ----------------------------------------------------------------------------------------------------------
def test_delta_round_returns_items_and_delta_link_on_last_page(rsps, client):
    page1, page2 = load("users_delta_page_1.json"), load("users_delta_page_2.json")
    rsps.add("GET", DELTA, json=page1, match=[matchers.query_param_matcher({"$select": "id,displayName"})])
    rsps.add("GET", "https://graph.microsoft.com/v1.0/users/delta()", json=page2,
             match=[query_of(page1["@odata.nextLink"])])

    pages = list(client.delta_round("/users/delta", params={"$select": "id,displayName"}))

    assert [p.delta_link for p in pages] == [None, page2["@odata.deltaLink"]]
    removed = [i for p in pages for i in p.items if "@removed" in i]
    assert [r["@removed"]["reason"] for r in removed] == ["changed", "deleted"]
    assert sum(len(p.items) for p in pages) == 4


def test_next_round_starts_from_the_delta_link(rsps, client):
    delta_link = load("users_delta_page_2.json")["@odata.deltaLink"]
    rsps.add("GET", "https://graph.microsoft.com/v1.0/users/delta()",
             json={"value": [], "@odata.deltaLink": delta_link + "2"}, match=[query_of(delta_link)])
    pages = list(client.delta_round(delta_link))
    assert pages[-1].delta_link == delta_link + "2"
    assert graph_calls(rsps)[0].request.url == delta_link


def test_delta_410_gone_raises_delta_token_expired(rsps, client):
    rsps.add("GET", DELTA, status=410, headers={"Location": f"{DELTA}?$deltatoken=latest", "request-id": "r-410"},
             json={"error": {"code": "resyncRequired", "message": "Resync required."}})
    with pytest.raises(DeltaTokenExpired) as caught:
        list(client.delta_round("/users/delta"))
    assert caught.value.status == 410
    assert caught.value.location == f"{DELTA}?$deltatoken=latest"
    assert caught.value.request_id == "r-410"


@pytest.mark.parametrize("code", ["syncStateNotFound", "resyncRequired"])
def test_delta_400_sync_state_errors_raise_delta_token_expired(rsps, client, code):
    body = load("graph_error_400_sync_state_not_found.json")
    body["error"]["code"] = code
    rsps.add("GET", DELTA, status=400, json=body, headers=error_headers(body))
    with pytest.raises(DeltaTokenExpired) as caught:
        list(client.delta_round("/users/delta"))
    assert caught.value.code == code


def test_delta_other_400_is_a_plain_graph_error(rsps, client):
    rsps.add("GET", DELTA, status=400, json={"error": {"code": "Request_UnsupportedQuery", "message": "bad $filter"}})
    with pytest.raises(GraphError) as caught:
        list(client.delta_round("/users/delta"))
    assert not isinstance(caught.value, DeltaTokenExpired)


def test_delta_page_without_links_is_unexpected(rsps, client):
    rsps.add("GET", DELTA, json={"value": []})
    with pytest.raises(UnexpectedResponse):
        list(client.delta_round("/users/delta"))


# -- retries --------------------------------------------------------------------------------------------------------
def test_429_with_retry_after_sleeps_exactly_that_long(rsps, client, sleeps):
    body = load("graph_error_429_too_many_requests.json")
    rsps.add("GET", USERS, status=429, json=body, headers=error_headers(body, **{"Retry-After": "7"}))
    rsps.add("GET", USERS, json=load("users_page_2.json"))
    assert len(client.get("/users")["value"]) == 1
    assert sleeps == [7.0]
    assert client.request_count == 2


def test_graph_throttled_after_max_retries(rsps, client, sleeps):
    body = load("graph_error_429_too_many_requests.json")
    rsps.add("GET", USERS, status=429, json=body, headers=error_headers(body, **{"Retry-After": "2"}))
    with pytest.raises(GraphThrottled) as caught:
        client.get("/users")
    assert sleeps == [2.0, 2.0, 2.0]  # max_retries=3
    assert len(graph_calls(rsps)) == 4
    exc = caught.value
    assert (exc.retry_after, exc.status, exc.code) == (2.0, 429, "TooManyRequests")
    assert exc.request_id == body["error"]["innerError"]["request-id"]


def test_retry_after_beyond_max_retry_wait_raises_immediately(rsps, client, sleeps):
    rsps.add("GET", USERS, status=429, headers={"Retry-After": "300", "request-id": "r-300"})
    with pytest.raises(GraphThrottled) as caught:
        client.get("/users")
    assert caught.value.retry_after == 300
    assert sleeps == []
    assert len(graph_calls(rsps)) == 1


def test_503_without_retry_after_uses_exponential_backoff(rsps, issued, sleeps):
    jitters = iter([1.0, 0.0, 0.5])
    client = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), ENDPOINTS,
                         sleep=sleeps.append, jitter=lambda: next(jitters))
    rsps.add("GET", USERS, status=503, body="Service Unavailable")
    rsps.add("GET", USERS, status=504, body="Gateway Timeout")
    rsps.add("GET", USERS, status=503, body="Service Unavailable")
    rsps.add("GET", USERS, json={"value": []})
    assert client.get("/users") == {"value": []}
    # ceilings 1, 2, 4 seconds; half fixed plus jitter * half
    assert sleeps == [1.0, 1.0, 3.0]


def test_backoff_is_capped_by_max_retry_wait(rsps, issued, sleeps):
    endpoints = GraphEndpoints(max_retries=8, max_retry_wait=5)
    mock_entra(rsps, endpoints, TENANT, CLIENT)
    client = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), endpoints,
                         sleep=sleeps.append, jitter=lambda: 1.0)
    rsps.add("GET", USERS, status=503)
    with pytest.raises(GraphThrottled) as caught:
        client.get("/users")
    assert sleeps == [1, 2, 4, 5, 5, 5, 5, 5]
    assert caught.value.status == 503


def test_parse_retry_after():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-3") == 0.0
    assert 0 <= parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") <= 0.0 + 1


# -- errors ---------------------------------------------------------------------------------------------------------
def test_403_authorization_request_denied_is_permission_denied_with_fields(rsps, client, issued):
    body = load("graph_error_403_authorization_request_denied.json")
    rsps.add("GET", USERS, status=403, json=body, headers=error_headers(body))
    with pytest.raises(PermissionDenied) as caught:
        client.get("/users", params={"$select": "id"})
    exc = caught.value
    assert exc.status == 403
    assert exc.code == "Authorization_RequestDenied"
    assert exc.message == "Insufficient privileges to complete the operation."
    assert exc.request_id == "2f8d0bd6-9c5e-4f0a-8d2b-1c3e5a7b9d10"
    assert exc.client_request_id == "2f8d0bd6-9c5e-4f0a-8d2b-1c3e5a7b9d10"
    assert exc.date == "2025-03-11T09:31:02"
    assert (exc.method, exc.path) == ("GET", "/users")
    assert "request-id=2f8d0bd6" in str(exc)
    assert issued[0] not in str(exc) and issued[0] not in repr(exc)


def test_request_id_falls_back_to_inner_error(rsps, client):
    body = load("graph_error_404_not_found.json")
    rsps.add("GET", f"{USERS}/nobody", status=404, json=body)
    with pytest.raises(NotFound) as caught:
        client.get("/users/nobody")
    assert caught.value.request_id == body["error"]["innerError"]["request-id"]
    assert caught.value.code == "Request_ResourceNotFound"


def test_outlook_error_access_denied_is_permission_denied(rsps, client):
    rsps.add("GET", f"{USERS}/u1/contacts", status=403,
             json={"error": {"code": "ErrorAccessDenied",
                             "message": "Access is denied. Check credentials and try again."}})
    with pytest.raises(PermissionDenied):
        client.get("/users/u1/contacts")


def test_401_without_roles_claim_is_permission_denied_without_refresh(rsps, client):
    body = load("graph_error_401_no_roles.json")
    rsps.add("GET", USERS, status=401, json=body, headers=error_headers(body))
    with pytest.raises(PermissionDenied) as caught:
        client.get("/users")
    assert caught.value.status == 401
    assert rsps.assert_call_count(token_url(ENDPOINTS, TENANT), 1)


def test_401_expired_token_refreshes_once_and_retries(rsps, client, issued):
    body = load("graph_error_401_expired_token.json")
    rsps.add("GET", USERS, status=401, json=body, headers=error_headers(body))
    rsps.add("GET", USERS, json={"value": []})
    assert client.get("/users") == {"value": []}
    calls = graph_calls(rsps)
    assert [c.request.headers["Authorization"] for c in calls] == [f"Bearer {issued[0]}", f"Bearer {issued[1]}"]


def test_401_twice_gives_up_after_one_refresh(rsps, client):
    body = load("graph_error_401_expired_token.json")
    rsps.add("GET", USERS, status=401, json=body, headers=error_headers(body))
    with pytest.raises(GraphError) as caught:
        client.get("/users")
    assert caught.value.status == 401
    assert len(graph_calls(rsps)) == 2


@pytest.mark.parametrize(
    ("exception", "kind"),
    [
        (requests.exceptions.ConnectionError("Connection reset by peer"), "network"),
        (requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(12 bytes read)"), "network"),
        (requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"), "timeout"),
        (requests.exceptions.SSLError("certificate verify failed"), "tls"),
    ],
)
def test_transport_errors_map_to_graph_connection_error(rsps, client, exception, kind):
    rsps.add("GET", USERS, body=exception)
    with pytest.raises(GraphConnectionError) as caught:
        client.get("/users")
    assert (caught.value.kind, caught.value.host) == (kind, "graph.microsoft.com")


def test_non_json_body_is_unexpected_response(rsps, client):
    rsps.add("GET", USERS, body="<html>proxy</html>", content_type="text/html", headers={"request-id": "r-html"})
    with pytest.raises(UnexpectedResponse) as caught:
        client.get("/users")
    assert caught.value.request_id == "r-html"


def test_post_returns_json_or_none(rsps, client):
    rsps.add("POST", "https://graph.microsoft.com/v1.0/communications/getPresencesByUserId",
             json={"value": [{"id": "u1", "availability": "Busy", "activity": "InACall"}]},
             match=[matchers.json_params_matcher({"ids": ["u1"]})])
    rsps.add("POST", f"{USERS}/u1/presence/setPresence", status=200, body="")
    assert client.post("/communications/getPresencesByUserId", {"ids": ["u1"]})["value"][0]["activity"] == "InACall"
    assert client.post("/users/u1/presence/setPresence", {"sessionId": CLIENT, "availability": "Busy"}) is None
    assert client.requests_by_path["/communications/getPresencesByUserId"] == 1
