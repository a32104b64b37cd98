"""A connection whose app goes away (saved with another tenant or application, or deleted) takes its Graph
subscriptions with it: the web forgets them at once and calls nobody; a worker deletes them at Microsoft with the
old credential (a subscription already gone counts as gone). A new secret for the same app keeps them."""

from urllib.parse import parse_qs

import pytest
import responses

from integrations.connection_client import graph_endpoints
from integrations.models import EntraConnection
from integrations.services import connection_save
from integrations.sync.models import SyncSchedule
from integrations.sync.realtime.models import Subscription
from organizations.models import Organization
from tests.helpers.connection_check import GRAPH
from tests.helpers.graph_mock import mock_entra, token_url
from tests.helpers.graph_payloads import CLIENT, INSTANCE_DISCOVERY, SECRET, TENANT, load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_graph_clients")]
OTHER_CLIENT = "3f2e1d0c-0000-4000-8000-00000000abcd"


@pytest.fixture
def connection(organization):
    connection = EntraConnection.objects.create(organization=organization, tenant_id=TENANT, client_id=CLIENT,
                                                client_secret=SECRET, status=EntraConnection.Status.CONNECTED,
                                                feature_user_sync=True)
    for resource, kind, graph_id in (("users", "users", "sub-users"), ("users/u1/contacts", "contacts", "sub-u1"),
                                     ("users/u2/contacts", "contacts", "")):  # the last one never reached Graph
        Subscription.objects.create(organization=organization, kind=kind, resource=resource, change_type="updated",
                                    graph_id=graph_id, status="active" if graph_id else "pending")
    SyncSchedule.objects.update_or_create(organization=organization, kind="users",
                                          defaults={"safety_net_seconds": 3600})
    return connection


def save(connection, **changes):
    data = {"tenant_id": connection.tenant_id, "client_id": connection.client_id, "credential_type": "secret",
            "secret_expires_on": None, "client_secret": "", **changes}
    for name in ("tenant_id", "client_id"):
        setattr(connection, name, data[name])
    return connection_save(connection=connection, cleaned_data=data, certificate=None, actor=None)


def in_web_then_worker(change, celery_eager, capture):
    """Run `change` as the web process does (every HTTP call refused), then what it queued as a worker would,
    against Microsoft answering for the OLD app only. Returns the requests the worker sent."""
    with responses.RequestsMock() as web:
        with capture() as queued:
            change()
        assert not web.calls  # the web process never waits on Microsoft
    with responses.RequestsMock(assert_all_requests_are_fired=False) as microsoft:
        microsoft.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
        mock_entra(microsoft, graph_endpoints(), TENANT, CLIENT)
        microsoft.add("DELETE", f"{GRAPH}/subscriptions/sub-users", status=204)
        microsoft.add("DELETE", f"{GRAPH}/subscriptions/sub-u1", status=404, json={"error": {
            "code": "ResourceNotFound", "message": "The object was not found."}})
        for callback in queued:
            callback()
        return list(microsoft.calls)


def deletions(calls) -> list[str]:
    return sorted(call.request.url.rsplit("/", 1)[1] for call in calls if call.request.method == "DELETE")


def token_requests(calls) -> list[dict]:
    return [parse_qs(call.request.body) for call in calls if call.request.url == token_url(graph_endpoints(), TENANT)]


def test_saving_another_app_deletes_the_old_apps_subscriptions_with_the_old_secret(
        connection, organization, celery_eager, django_capture_on_commit_callbacks):
    calls = in_web_then_worker(lambda: save(connection, client_id=OTHER_CLIENT, client_secret="a-new-secret"),
                               celery_eager, django_capture_on_commit_callbacks)
    assert deletions(calls) == ["sub-u1", "sub-users"]  # sub-u1 answered 404: already gone, fine
    [token] = token_requests(calls)
    assert token["client_id"] == [CLIENT] and token["client_secret"] == [SECRET]
    assert not Subscription.objects.filter(organization=organization).exists()
    assert SyncSchedule.objects.get(organization=organization).safety_net_seconds is None  # polling again
    connection.refresh_from_db()
    assert (connection.client_id, connection.client_secret) == (OTHER_CLIENT, "a-new-secret")


def test_deleting_the_connection_deletes_its_subscriptions(connection, organization, celery_eager,
                                                          django_capture_on_commit_callbacks):
    calls = in_web_then_worker(lambda: EntraConnection.objects.get(pk=connection.pk).delete(), celery_eager,
                               django_capture_on_commit_callbacks)
    assert deletions(calls) == ["sub-u1", "sub-users"]
    assert not Subscription.objects.filter(organization=organization).exists()


def test_deleting_the_organization_deletes_its_subscriptions_at_microsoft(connection, organization, celery_eager,
                                                                         django_capture_on_commit_callbacks):
    calls = in_web_then_worker(lambda: Organization.objects.get(pk=organization.pk).delete(), celery_eager,
                               django_capture_on_commit_callbacks)
    assert deletions(calls) == ["sub-u1", "sub-users"]


def test_a_new_secret_for_the_same_app_keeps_the_subscriptions(connection, organization, celery_eager,
                                                              django_capture_on_commit_callbacks):
    calls = in_web_then_worker(lambda: save(connection, client_secret="rotated", tenant_id=TENANT.upper()),
                               celery_eager, django_capture_on_commit_callbacks)
    assert deletions(calls) == []
    assert Subscription.objects.filter(organization=organization).count() == 3


def test_a_revoked_old_secret_leaves_them_to_expire(connection, organization, celery_eager,
                                                    django_capture_on_commit_callbacks):
    from integrations.sync.realtime.services import retired_subscriptions_delete, sealed_credentials

    sealed = sealed_credentials(connection)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as microsoft:
        microsoft.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
        mock_entra(microsoft, graph_endpoints(), TENANT, CLIENT)
        microsoft.replace("POST", token_url(graph_endpoints(), TENANT), status=401, json={
            "error": "invalid_client", "error_description": "AADSTS7000222: The provided client secret keys for app "
            f"'{CLIENT}' are expired.", "error_codes": [7000222]})
        outcome = retired_subscriptions_delete(organization.pk, sealed, ["sub-users", "sub-u1"])
    assert outcome == {"deleted": 0, "gone": 0, "failed": 2}
    assert not [call for call in microsoft.calls if call.request.method == "DELETE"]
