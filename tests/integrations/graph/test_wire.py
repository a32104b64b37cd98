"""GraphClient against Graph's documented wire forms (mocked with `responses`, payloads as Microsoft shows them):
Retry-After decimal/date/absent, every documented delta reset, and paging loops."""

import email.utils
import time

import pytest
import responses
from responses import matchers

from integrations.graph import (
    AppCredentials,
    DeltaTokenExpired,
    GraphClient,
    GraphClientError,
    GraphEndpoints,
    GraphError,
    PagingLoopDetected,
)
from integrations.graph.parsing import parse_retry_after
from tests.helpers.graph_mock import mock_entra
from tests.helpers.graph_payloads import CLIENT, INSTANCE_DISCOVERY, SECRET, TENANT, load

ENDPOINTS = GraphEndpoints(max_retries=3, max_retry_wait=60)
G = "https://graph.microsoft.com/v1.0"
USERS = f"{G}/users"
DELTA = f"{G}/users/delta"
CONTACTS_DELTA = f"{G}/users/ops@contoso.example/contactFolders/AAMkAD=/contacts/delta"
# Microsoft's throttling sample (docs: "Microsoft Graph throttling guidance", Sample response)
THROTTLED_429 = {"error": {"code": "TooManyRequests", "innerError": {
    "code": "429", "date": "2020-08-18T12:51:51", "message": "Please retry after",
    "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2", "status": "429"}, "message": "Please retry again later."}}


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock_entra(mock, ENDPOINTS, TENANT, CLIENT)
        mock.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
        yield mock


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(rsps, sleeps):
    return GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), ENDPOINTS, sleep=sleeps.append,
                       jitter=lambda: 0.5)


def graph_calls(rsps):
    return [c for c in rsps.calls if c.request.url.startswith(G)]


# -- Retry-After ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "seconds"), [("2.128", 2.128), ("0.5", 0.5), ("7", 7.0), (" 3 ", 3.0),
                                                 ("-1.5", 0.0), ("", None), ("soon", None), ("nan", None),
                                                 ("inf", None), (None, None)])
def test_parse_retry_after_seconds(header, seconds):
    assert parse_retry_after(header) == seconds


def test_parse_retry_after_http_date():
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= parse_retry_after(future) <= 30
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_decimal_retry_after_is_waited_exactly(rsps, client, sleeps):
    rsps.add("GET", USERS, status=429, json=THROTTLED_429, headers={"Retry-After": "2.128"})
    rsps.add("GET", USERS, json={"value": [{"id": "1"}]})
    assert client.get("/users")["value"] == [{"id": "1"}]
    assert sleeps == [2.128]
    assert client.request_count == 2


def test_absent_retry_after_backs_off_exponentially_with_jitter(rsps, client, sleeps):
    rsps.add("GET", USERS, status=429, json=THROTTLED_429)
    rsps.add("GET", USERS, status=429, json=THROTTLED_429)
    rsps.add("GET", USERS, status=503, json={"error": {"code": "serviceNotAvailable", "message": "Unavailable"}})
    rsps.add("GET", USERS, json={"value": []})
    assert client.get("/users") == {"value": []}
    assert sleeps == [0.75, 1.5, 3.0]  # ceilings 1, 2, 4 s: half fixed + jitter (0.5) x half


def test_throttled_error_keeps_microsofts_inner_error(rsps, client, sleeps):
    rsps.add("GET", USERS, status=429, json=THROTTLED_429, headers={"Retry-After": "120.5"})
    with pytest.raises(GraphError) as caught:
        client.get("/users")
    error = caught.value
    assert (error.status, error.code, error.retry_after) == (429, "TooManyRequests", 120.5)
    assert error.request_id == "94fb3b52-452a-4535-a601-69e0a90e3aa2" and error.date == "2020-08-18T12:51:51"
    assert sleeps == []


# -- delta resets ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body", [None, {"error": {"code": "syncStateNotFound", "message": "x"}},
                                  {"error": {"code": "SyncStateNotFound", "message": "x"}},
                                  {"error": {"code": "resyncRequired", "message": "x"}},
                                  {"error": {"code": "UnknownError", "message": "x"}}])
def test_410_with_any_code_is_delta_token_expired_with_location(rsps, client, body):
    location = f"{DELTA}?$select=id,displayName&$deltatoken="
    kwargs = {"json": body} if body else {"body": ""}
    rsps.add("GET", DELTA, status=410, headers={"Location": location, "request-id": "r-410"}, **kwargs)
    with pytest.raises(DeltaTokenExpired) as caught:
        list(client.delta_round(f"{DELTA}?$deltatoken=old"))
    assert caught.value.status == 410 and caught.value.location == location
    assert caught.value.request_id == "r-410"


@pytest.mark.parametrize(("url", "code"), [(DELTA, "syncStateNotFound"), (DELTA, "resyncRequired"),
                                           (CONTACTS_DELTA, "SyncStateNotFound"),
                                           (CONTACTS_DELTA, "syncStateNotFound")])
def test_400_sync_state_codes_are_delta_token_expired(rsps, client, url, code):
    body = load("graph_error_400_sync_state_not_found.json")
    body["error"]["code"] = code
    rsps.add("GET", url, status=400, json=body)
    with pytest.raises(DeltaTokenExpired) as caught:
        list(client.delta_round(f"{url}?$deltatoken=old"))
    assert caught.value.code == code and caught.value.location is None


def test_a_resync_starts_from_the_location(rsps, client):
    location = f"{DELTA}?$select=id&$deltatoken="
    rsps.add("GET", DELTA, status=410, headers={"Location": location},
             match=[matchers.query_param_matcher({"$deltatoken": "old"})])
    rsps.add("GET", DELTA, json={"value": [{"id": "a"}], "@odata.deltaLink": f"{DELTA}?$deltatoken=new"},
             match=[matchers.query_param_matcher({"$select": "id", "$deltatoken": ""})])
    with pytest.raises(DeltaTokenExpired) as caught:
        list(client.delta_round(f"{DELTA}?$deltatoken=old"))
    pages = list(client.delta_round(caught.value.location))
    assert pages[-1].items == [{"id": "a"}] and pages[-1].delta_link == f"{DELTA}?$deltatoken=new"


def test_410_outside_delta_is_a_plain_graph_error(rsps, client):
    rsps.add("GET", USERS, status=410, json={"error": {"code": "Gone", "message": "gone"}})
    with pytest.raises(GraphError) as caught:
        client.get("/users")
    assert not isinstance(caught.value, DeltaTokenExpired)


# -- paging loops ---------------------------------------------------------------------------------------------------
def _page(link, ids):
    body = {"value": [{"id": i} for i in ids]}
    if link:
        body["@odata.nextLink"] = link
    return body


def test_iter_pages_stops_on_a_repeated_next_link(rsps, client):
    link2, link3 = f"{USERS}?$top=2&$skiptoken=B", f"{USERS}?$top=2&$skiptoken=C"
    rsps.add("GET", USERS, json=_page(link2, "ab"), match=[matchers.query_param_matcher({"$top": "2"})])
    rsps.add("GET", USERS, json=_page(link3, "cd"), match=[matchers.query_param_matcher({"$top": "2",
                                                                                         "$skiptoken": "B"})])
    rsps.add("GET", USERS, json=_page(link2, "ef"), match=[matchers.query_param_matcher({"$top": "2",
                                                                                         "$skiptoken": "C"})])
    seen = []
    with pytest.raises(PagingLoopDetected) as caught:
        for page in client.iter_pages("/users", params={"$top": 2}):
            seen.extend(u["id"] for u in page)
    assert isinstance(caught.value, GraphClientError)
    assert caught.value.path == "/users" and caught.value.pages == 3
    assert "/users" in str(caught.value) and "skiptoken" not in str(caught.value)
    assert seen == list("abcdef")
    assert len(graph_calls(rsps)) == 3 and client.request_count == 3


def test_a_next_link_pointing_at_itself_is_a_loop(rsps, client):
    link = f"{USERS}?$skiptoken=same"
    rsps.add("GET", USERS, json=_page(link, "a"), match=[matchers.query_param_matcher({})])
    rsps.add("GET", USERS, json=_page(link, "b"), match=[matchers.query_param_matcher({"$skiptoken": "same"})])
    with pytest.raises(PagingLoopDetected):
        list(client.iter_items("/users"))
    assert len(graph_calls(rsps)) == 2


def test_delta_round_stops_on_a_repeated_next_link(rsps, client):
    link = f"{DELTA}?$skiptoken=P2"
    rsps.add("GET", DELTA, json=_page(link, "a"), match=[matchers.query_param_matcher({"$deltatoken": "T1"})])
    rsps.add("GET", DELTA, json=_page(link, "b"), match=[matchers.query_param_matcher({"$skiptoken": "P2"})])
    with pytest.raises(PagingLoopDetected) as caught:
        list(client.delta_round(f"{DELTA}?$deltatoken=T1"))
    assert caught.value.path == "/users/delta" and "T1" not in str(caught.value)
    assert len(graph_calls(rsps)) == 2


def test_same_link_in_a_new_round_is_fine(rsps, client):
    link = f"{USERS}?$skiptoken=X"
    rsps.add("GET", USERS, json=_page(link, "a"), match=[matchers.query_param_matcher({})])
    rsps.add("GET", USERS, json=_page(None, "b"), match=[matchers.query_param_matcher({"$skiptoken": "X"})])
    assert [u["id"] for u in client.iter_items("/users")] == ["a", "b"]
    assert [u["id"] for u in client.iter_items("/users")] == ["a", "b"]
