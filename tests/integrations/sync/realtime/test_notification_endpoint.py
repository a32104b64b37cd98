"""POST /graph/notifications/ and /graph/notifications/lifecycle/: the handshake, the checks on every item, and
coalescing; the request does one query and queues at most one task per (organization, kind, mailbox) per window."""

import json

import pytest
from django.core.cache import cache

from integrations.models import EntraConnection
from integrations.sync.models import SyncRun
from integrations.sync.realtime.coalesce import notification_received
from integrations.sync.realtime.inbox import dropped_counts, forget_looked_up
from integrations.sync.realtime.models import Subscription
from tests.helpers.factories import make_organization

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache", "forgotten")]
TENANT = "aaaaaaaa-1111-2222-3333-444444444444"


@pytest.fixture
def forgotten():
    """Rows remembered by the inbox belong to the test that made them."""
    forget_looked_up()
    yield
    forget_looked_up()


@pytest.fixture
def subscription(organization):
    EntraConnection.objects.create(organization=organization, tenant_id=TENANT, client_id="c", client_secret="s",
                                   directory_tenant_id=TENANT, feature_user_sync=True)
    row = Subscription(organization=organization, kind="users", resource="users", change_type="updated,deleted",
                       graph_id="7f105c7d-2dc5-4530-97cd-4e7ae6534c07", tenant_id=TENANT, status="active")
    secret = row.new_client_state()
    row.save()
    row.secret = secret
    return row


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr("integrations.sync.realtime.tasks.notified.apply_async",
                        lambda args, **options: calls.append((args, options)))
    monkeypatch.setattr("integrations.sync.realtime.tasks.lifecycle.delay", lambda *args: calls.append((args, {})))
    return calls


def item(row, *, client_state=None, tenant=TENANT, subscription_id=None, **extra):
    """One notification as Graph documents it (basic, users)."""
    return {"subscriptionId": subscription_id or row.graph_id,
            "subscriptionExpirationDateTime": "2030-01-01T00:00:00.0000000Z",
            "changeType": "updated", "resource": "Users/8e6f7a1c-2b3d-4e5f-a6b7-c8d9e0f1a2b3",
            "resourceData": {"@odata.type": "#Microsoft.Graph.User", "@odata.id": "Users/8e6f",
                             "id": "8e6f7a1c-2b3d-4e5f-a6b7-c8d9e0f1a2b3", "organizationId": tenant},
            "clientState": row.secret if client_state is None else client_state, "tenantId": tenant, **extra}


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST a notification; what it queues is sent at once (the endpoint runs outside a transaction)."""
    def send(client, items, path="/graph/notifications/"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, json.dumps({"value": items}), content_type="application/json")

    return send


@pytest.mark.parametrize("path", ["/graph/notifications/", "/graph/notifications/lifecycle/"])
def test_the_validation_handshake_echoes_the_decoded_token_as_plain_text(client, path):
    token = "Validation: Testing client application reachability for subscription Request-Id: 9a8b7c6d"
    response = client.post(f"{path}?validationToken=Validation%3A%20Testing%20client%20application%20reachability"
                           "%20for%20subscription%20Request-Id%3A%209a8b7c6d", content_type="text/plain")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == token


def test_a_genuine_burst_answers_202_with_one_query_and_queues_one_coalesced_run(client, subscription, sent, post,
                                                                                  django_assert_num_queries):
    with django_assert_num_queries(1):
        response = post(client, [item(subscription)] * 20)
    assert response.status_code == 202
    for _ in range(5):
        assert post(client, [item(subscription)]).status_code == 202
    assert len(sent) == 1
    (args, options), = sent
    assert args[:3] == (subscription.organization_id, "users", "") and options["countdown"] == 1.0
    assert notification_received(*args).startswith("run ")
    subscription.refresh_from_db()
    assert subscription.notifications == 25 and subscription.last_notification_at is not None
    run = SyncRun.objects.get()
    assert run.trigger == "notification" and run.kind == "users"


@pytest.mark.parametrize("change, reason", [
    ({"client_state": "guessed"}, "forged"),
    ({"client_state": ""}, "forged"),
    ({"subscription_id": "00000000-0000-0000-0000-000000000000"}, "unknown"),
    ({"tenant": "bbbbbbbb-1111-2222-3333-444444444444"}, "wrong_tenant"),
])
def test_forged_unknown_or_foreign_notifications_are_dropped_and_counted(client, subscription, sent, change,
                                                                         reason, post):
    response = post(client, [item(subscription, **change)])
    assert response.status_code == 202  # the sender learns nothing
    assert sent == [] and not SyncRun.objects.exists()
    assert dropped_counts()[reason] == 1
    subscription.refresh_from_db()
    assert subscription.notifications == 0


def test_a_subscription_cannot_speak_for_another_organizations_tenant(client, subscription, sent, post):
    other = make_organization("Fabrikam")
    foreign = Subscription(organization=other, kind="users", resource="users", change_type="updated",
                           graph_id="other-sub", tenant_id="bbbbbbbb-1111-2222-3333-444444444444", status="active")
    foreign.secret = foreign.new_client_state()
    foreign.save()
    post(client, [item(foreign, tenant=TENANT)])
    assert sent == [] and dropped_counts(other.pk)["wrong_tenant"] == 1


def test_lifecycle_events_go_to_the_lifecycle_url_only(client, subscription, sent, post):
    event = {"subscriptionId": subscription.graph_id, "subscriptionExpirationDateTime": "2030-01-01T00:00:00Z",
             "tenantId": TENANT, "clientState": subscription.secret, "lifecycleEvent": "missed"}
    assert post(client, [event]).status_code == 202
    assert sent == [] and dropped_counts()["lifecycle_on_change_url"] == 1
    assert post(client, [event], "/graph/notifications/lifecycle/").status_code == 202
    assert sent == [((subscription.pk, "missed"), {})]


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"value": 3}', b'{"value": [{"x": 1}]}',
                                  b'{"value": [{"subscriptionId": 5}]}',
                                  b'{"value": [{"subscriptionId": "a", "lifecycleEvent": "bogus"}]}',
                                  b'{"value": [{"subscriptionId": "a", "subscriptionExpirationDateTime": "soon"}]}'])
def test_what_is_not_a_notification_is_a_400(client, body, sent):
    response = client.post("/graph/notifications/", body, content_type="application/json")
    assert response.status_code == 400 and sent == []


def test_a_get_without_a_token_is_refused(client):
    assert client.get("/graph/notifications/").status_code == 405


def test_the_client_state_is_stored_only_as_a_hash(subscription):
    assert subscription.secret not in subscription.client_state_hash
    assert len(subscription.client_state_hash) == 64
    assert subscription.client_state_matches(subscription.secret)
    assert not subscription.client_state_matches(subscription.secret[:-1])
    cache.clear()


def test_a_large_batch_from_graph_is_taken_while_other_json_bodies_keep_their_limit(client, subscription, sent, post,
                                                                                  settings):
    batch = [item(subscription) for _ in range(200)]  # about 100 KB, over JSON_BODY_MAX_BYTES
    assert len(json.dumps({"value": batch})) > settings.JSON_BODY_MAX_BYTES
    assert post(client, batch).status_code == 202
    assert len(sent) == 1
    big = json.dumps({"extension": "x" * settings.JSON_BODY_MAX_BYTES})
    assert client.post("/api/pbx/calls/events", big, content_type="application/json").status_code == 413


def test_a_known_subscription_is_looked_up_once_per_process(client, subscription, sent, post,
                                                           django_assert_num_queries):
    post(client, [item(subscription)])
    with django_assert_num_queries(0):
        assert post(client, [item(subscription)] * 5).status_code == 202
    Subscription.objects.get(pk=subscription.pk).delete()  # a deleted row is forgotten at once
    with django_assert_num_queries(1):
        post(client, [item(subscription)])
    assert dropped_counts()["unknown"] == 1
