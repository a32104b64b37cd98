"""$batch: chunks of 20, request order, and only throttled sub-requests re-sent."""

import json

import pytest
import responses

from integrations.graph import AppCredentials, GraphClient, GraphEndpoints, GraphThrottled, UnexpectedResponse
from tests.helpers.graph_mock import mock_entra
from tests.helpers.graph_payloads import CLIENT, TENANT, load

ENDPOINTS = GraphEndpoints(max_retries=2, max_retry_wait=30)
BATCH = "https://graph.microsoft.com/v1.0/$batch"




@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock_entra(mock, ENDPOINTS, TENANT, CLIENT)
        yield mock


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(rsps, sleeps):
    return GraphClient(AppCredentials(TENANT, CLIENT, client_secret="s3cret"), ENDPOINTS, sleep=sleeps.append)


def batch_posts(rsps):
    return [json.loads(c.request.body)["requests"] for c in rsps.calls if c.request.url == BATCH]


def ok(sub):
    return {"id": sub["id"], "status": 200, "headers": {"Content-Type": "application/json"},
            "body": {"id": sub["url"].rsplit("/", 1)[-1]}}


def throttled(sub, retry_after="7"):
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return {"id": sub["id"], "status": 429, "headers": headers,
            "body": {"error": {"code": "TooManyRequests", "message": "Too many requests, please try again later."}}}


def test_45_requests_go_in_3_posts_and_only_the_429_is_resent(rsps, client, sleeps):
    throttle_once = {"30"}

    def answer(request):
        subs = json.loads(request.body)["requests"]
        out = []
        for sub in reversed(subs):  # Graph may answer in any order
            if sub["id"] in throttle_once:
                throttle_once.discard(sub["id"])
                out.append(throttled(sub))
            else:
                out.append(ok(sub))
        return 200, {"Content-Type": "application/json"}, json.dumps({"responses": out})

    rsps.add_callback("POST", BATCH, callback=answer)
    requests_ = [{"method": "GET", "url": f"/users/user-{i}?$select=id"} for i in range(45)]

    results = client.batch(requests_)

    posts = batch_posts(rsps)
    assert [len(p) for p in posts] == [20, 20, 1, 5]
    assert posts[2] == [{"method": "GET", "url": "/users/user-29?$select=id", "id": "30"}]
    assert sleeps == [7.0]
    assert [r["id"] for r in results] == [str(i + 1) for i in range(45)]
    assert [r["body"]["id"] for r in results] == [f"user-{i}?$select=id" for i in range(45)]
    assert all(r["status"] == 200 for r in results)
    assert client.requests_by_path["/$batch"] == 4


def test_fixture_batch_retries_429_and_returns_other_errors_as_they_are(rsps, client, sleeps):
    first = load("batch_response_with_429.json")
    rsps.add("POST", BATCH, json=first)
    rsps.add("POST", BATCH, json={"responses": [{"id": "2", "status": 200, "headers": {}, "body": {"id": "u2"}}]})
    subs = [{"id": str(i), "method": "GET", "url": f"/users/u{i}"} for i in (1, 2, 3)]

    results = client.batch(subs)

    assert [r["status"] for r in results] == [200, 200, 404]
    assert results[2]["body"]["error"]["code"] == "Request_ResourceNotFound"
    assert [[s["id"] for s in p] for p in batch_posts(rsps)] == [["1", "2", "3"], ["2"]]
    assert sleeps == [7.0]


def test_batch_sub_request_still_throttled_after_max_retries(rsps, client, sleeps):
    rsps.add_callback("POST", BATCH, callback=lambda request: (200, {}, json.dumps(
        {"responses": [throttled(s, "3") for s in json.loads(request.body)["requests"]]})))
    with pytest.raises(GraphThrottled) as caught:
        client.batch([{"url": "/users/u1"}])
    assert sleeps == [3.0, 3.0]
    assert caught.value.retry_after == 3.0
    assert len(batch_posts(rsps)) == 3


def test_batch_sub_request_retry_after_beyond_limit_raises_at_once(rsps, client, sleeps):
    rsps.add_callback("POST", BATCH, callback=lambda request: (200, {}, json.dumps(
        {"responses": [throttled(s, "600") for s in json.loads(request.body)["requests"]]})))
    with pytest.raises(GraphThrottled):
        client.batch([{"url": "/users/u1"}])
    assert sleeps == []


def test_batch_sub_request_without_retry_after_backs_off(rsps, sleeps):
    client = GraphClient(AppCredentials(TENANT, CLIENT, client_secret="s3cret"), ENDPOINTS,
                         sleep=sleeps.append, jitter=lambda: 0.0)
    rsps.add("POST", BATCH, json={"responses": [throttled({"id": "1"}, None)]})
    rsps.add("POST", BATCH, json={"responses": [{"id": "1", "status": 200, "body": {}}]})
    assert client.batch([{"url": "/users/u1"}])[0]["status"] == 200
    assert sleeps == [0.5]


def test_whole_batch_429_is_retried_like_any_request(rsps, client, sleeps):
    rsps.add("POST", BATCH, status=429, headers={"Retry-After": "4"})
    rsps.add("POST", BATCH, json={"responses": [{"id": "1", "status": 200, "body": {}}]})
    assert client.batch([{"url": "/me"}])[0]["status"] == 200
    assert sleeps == [4.0]


def test_missing_sub_response_is_unexpected(rsps, client):
    rsps.add("POST", BATCH, json={"responses": []})
    with pytest.raises(UnexpectedResponse):
        client.batch([{"url": "/users/u1"}])


def test_duplicate_ids_rejected_and_empty_batch_sends_nothing(rsps, client):
    with pytest.raises(ValueError):
        client.batch([{"id": "a", "url": "/users/1"}, {"id": "a", "url": "/users/2"}])
    assert client.batch([]) == []
    assert batch_posts(rsps) == []
