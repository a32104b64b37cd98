"""integrations.graph.subscriptions with `responses`: requests sent, answers parsed, Graph's errors typed."""

import datetime as dt
import json

import pytest
import responses
from responses import matchers

from integrations.graph import AppCredentials, GraphClient, GraphEndpoints, GraphError, NotFound, PermissionDenied
from integrations.graph.errors import UnexpectedResponse
from integrations.graph.subscriptions import (
    ChangeNotification,
    EndpointValidationFailed,
    Subscription,
    create_subscription,
    delete_subscription,
    graph_datetime,
    list_subscriptions,
    max_lifetime,
    parse_notifications,
    reauthorize_subscription,
    renew_subscription,
)
from tests.helpers.graph_mock import mock_entra
from tests.helpers.graph_payloads import CLIENT, SECRET, TENANT, load

SUBSCRIPTIONS = "https://graph.microsoft.com/v1.0/subscriptions"
ENDPOINTS = GraphEndpoints(max_retries=2)
EXPIRES = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)



@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        mock_entra(mock, ENDPOINTS, TENANT, CLIENT, roles=["User.Read.All"])
        yield mock


@pytest.fixture
def client(rsps):
    graph = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), ENDPOINTS, sleep=lambda s: None)
    yield graph
    graph.close()


def error(rsps, method, url, status, fixture):
    body = load(fixture)
    inner = body["error"]["innerError"]
    rsps.add(method, url, json=body, status=status, headers={"request-id": inner.get("request-id", "")})


def test_create_sends_graphs_body_and_returns_a_subscription(rsps, client):
    rsps.add("POST", SUBSCRIPTIONS, json=load("subscription_created.json"), status=201, match=[
        matchers.json_params_matcher({
            "changeType": "created", "notificationUrl": "https://webhook.azurewebsites.net/api/send/myNotifyClient",
            "resource": "me/mailFolders('Inbox')/messages", "expirationDateTime": "2030-01-02T03:04:05Z",
            "clientState": "secretClientValue", "lifecycleNotificationUrl": "https://webhook.example/lifecycle"})])
    sub = create_subscription(client, resource="me/mailFolders('Inbox')/messages", change_type="created",
                              notification_url="https://webhook.azurewebsites.net/api/send/myNotifyClient",
                              expires=EXPIRES, client_state="secretClientValue",
                              lifecycle_notification_url="https://webhook.example/lifecycle")
    assert sub == Subscription(
        id="7f105c7d-2dc5-4530-97cd-4e7ae6534c07", resource="me/mailFolders('Inbox')/messages",
        change_type="created", notification_url="https://webhook.azurewebsites.net/api/send/myNotifyClient",
        expires=dt.datetime(2016, 11, 20, 18, 23, 45, 935691, tzinfo=dt.UTC), lifecycle_notification_url=None,
        client_state="secretClientValue", application_id="24d3b144-21ae-4080-943f-7067b395b913")


def test_create_leaves_out_optional_fields(rsps, client):
    rsps.add("POST", SUBSCRIPTIONS, json=load("subscription_created.json"), status=201, match=[
        matchers.json_params_matcher({"changeType": "updated,deleted", "notificationUrl": "https://pbx.example/n/",
                                      "resource": "users", "expirationDateTime": "2030-01-02T03:04:05Z"})])
    create_subscription(client, resource="users", change_type="updated,deleted",
                        notification_url="https://pbx.example/n/", expires=EXPIRES)


@pytest.mark.parametrize("fixture", ["error_subscription_validation_failed.json",
                                     "error_subscription_validation_timed_out.json"])
def test_failed_handshake_is_endpoint_validation_failed(rsps, client, fixture):
    error(rsps, "POST", SUBSCRIPTIONS, 400, fixture)
    with pytest.raises(EndpointValidationFailed) as caught:
        create_subscription(client, resource="users", change_type="updated", notification_url="https://pbx.example/",
                            expires=EXPIRES)
    assert caught.value.status == 400 and caught.value.message == load(fixture)["error"]["message"]
    assert caught.value.request_id == load(fixture)["error"]["innerError"]["request-id"]


def test_other_400_stays_a_graph_error(rsps, client):
    error(rsps, "POST", SUBSCRIPTIONS, 400, "error_subscription_expiration_too_far.json")
    with pytest.raises(GraphError) as caught:
        create_subscription(client, resource="me/contacts", change_type="created",
                            notification_url="https://pbx.example/", expires=EXPIRES)
    assert not isinstance(caught.value, EndpointValidationFailed) and caught.value.code == "ExtensionError"


def test_forbidden_is_permission_denied(rsps, client):
    error(rsps, "POST", SUBSCRIPTIONS, 403, "error_subscription_forbidden.json")
    with pytest.raises(PermissionDenied):
        create_subscription(client, resource="users", change_type="updated", notification_url="https://pbx.example/",
                            expires=EXPIRES)


def test_create_refuses_bad_input_before_calling_graph():
    client = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), ENDPOINTS)
    with responses.RequestsMock(), pytest.raises(ValueError):  # nothing registered: any request would fail
        create_subscription(client, resource="users", change_type="updated", notification_url="https://pbx.example/",
                            expires=EXPIRES, client_state="x" * 129)
    with responses.RequestsMock(), pytest.raises(ValueError):
        create_subscription(client, resource="users", change_type="updated", notification_url="https://pbx.example/",
                            expires=dt.datetime(2030, 1, 1))  # naive


def test_renew_patches_the_expiry(rsps, client):
    rsps.add("PATCH", f"{SUBSCRIPTIONS}/7f105c7d-2dc5-4530-97cd-4e7ae6534c07", json=load("subscription_renewed.json"),
             match=[matchers.json_params_matcher({"expirationDateTime": "2030-01-02T03:04:05Z"})])
    sub = renew_subscription(client, "7f105c7d-2dc5-4530-97cd-4e7ae6534c07", expires=EXPIRES)
    assert sub.expires == dt.datetime(2016, 11, 22, 18, 23, 45, 935691, tzinfo=dt.UTC)
    assert sub.change_type == "created,updated" and sub.resource == "me/messages"


def test_renew_of_a_gone_subscription_is_not_found(rsps, client):
    rsps.add("PATCH", f"{SUBSCRIPTIONS}/gone", status=404,
             json={"error": {"code": "ResourceNotFound", "message": "The object was not found."}})
    with pytest.raises(NotFound):
        renew_subscription(client, "gone", expires=EXPIRES)


def test_reauthorize_and_delete(rsps, client):
    rsps.add("POST", f"{SUBSCRIPTIONS}/abc/reauthorize", status=204)
    rsps.add("DELETE", f"{SUBSCRIPTIONS}/abc", status=204)
    assert reauthorize_subscription(client, "abc") is None
    assert delete_subscription(client, "abc") is None


def test_subscription_id_cannot_reach_another_path(rsps, client):
    rsps.add("DELETE", f"{SUBSCRIPTIONS}/..%2Fusers%2Fx", status=204)
    delete_subscription(client, "../users/x")  # quoted: still under /subscriptions/
    with pytest.raises(ValueError):
        delete_subscription(client, "")


def test_list_follows_pages_and_has_no_client_state(rsps, client):
    first = dict(load("subscriptions_list.json"), **{"@odata.nextLink": f"{SUBSCRIPTIONS}?$skiptoken=two"})
    second = {"value": [dict(load("subscriptions_list.json")["value"][0], id="second")]}
    rsps.add("GET", SUBSCRIPTIONS, json=first, match=[matchers.query_param_matcher({})])
    rsps.add("GET", SUBSCRIPTIONS, json=second, match=[matchers.query_param_matcher({"$skiptoken": "two"})])
    subs = list_subscriptions(client)
    assert [s.id for s in subs] == ["0fc0d6db-0073-42e5-a186-853da75fb308", "second"]
    assert subs[0].client_state is None and subs[0].change_type == "updated,deleted"
    assert subs[0].lifecycle_notification_url == "https://webhook.azurewebsites.net/api/send/lifecycleNotifications"
    assert subs[0].expires == dt.datetime(2018, 3, 12, 5, tzinfo=dt.UTC)


def test_answer_that_is_not_a_subscription_is_unexpected(rsps, client):
    rsps.add("POST", SUBSCRIPTIONS, json={"id": "x"}, status=201)
    with pytest.raises(UnexpectedResponse):
        create_subscription(client, resource="users", change_type="updated", notification_url="https://pbx.example/",
                            expires=EXPIRES)


def test_max_lifetime_per_resource():
    assert max_lifetime("users") == max_lifetime("/groups/abc/members") == dt.timedelta(minutes=41760)
    assert max_lifetime("users/shared@contoso.example/contacts") == dt.timedelta(minutes=4230)
    assert max_lifetime("me/contacts") == dt.timedelta(minutes=4230)


def test_graph_datetime_is_utc_with_z():
    local = dt.datetime(2030, 1, 2, 5, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert graph_datetime(local) == "2030-01-02T03:04:05Z"


# -- notifications ---------------------------------------------------------------------------------------------
def test_parse_user_change_notification():
    [note] = parse_notifications(json.dumps(load("notification_user_updated.json")).encode())
    assert note == ChangeNotification(
        subscription_id="<microsoft-graph-subscription-id>", tenant_id="<tenant-id>", client_state="<guid>",
        subscription_expires=dt.datetime(2022, 5, 24, 23, 21, 19, 355440, tzinfo=dt.UTC), change_type="updated",
        resource="Users/<user-id>", resource_id="<user-id>")


def test_parse_outlook_notification():
    [note] = parse_notifications(load("notification_message_created.json"))
    assert note.change_type == "created" and note.resource_id == "{long_id_string}"
    assert note.tenant_id == "84bd8158-6d4d-4958-8b9f-9d6445542f95" and note.lifecycle_event is None


@pytest.mark.parametrize("event", ["reauthorizationRequired", "subscriptionRemoved", "missed"])
def test_parse_lifecycle_notification(event):
    body = load("notification_lifecycle.json")
    body["value"][0]["lifecycleEvent"] = event
    [note] = parse_notifications(body)
    assert note.lifecycle_event == event and note.change_type is None and note.client_state == "<secretClientState>"


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b"{}", {"value": {}}, {"value": [{"changeType": "updated"}]},
    {"value": [{"subscriptionId": "x", "lifecycleEvent": "exploded"}]},
    {"value": [{"subscriptionId": "x", "subscriptionExpirationDateTime": "soon"}]},
])
def test_parse_refuses_what_is_not_a_notification(body):
    with pytest.raises(ValueError):
        parse_notifications(body)
