"""The product's subscription functions against the emulator over HTTPS, with MSAL tokens, and a local endpoint."""

import datetime as dt

import pytest

from integrations.graph import AppCredentials, GraphClient, GraphEndpoints, NotFound, PermissionDenied
from integrations.graph.subscriptions import (
    EndpointValidationFailed,
    create_subscription,
    delete_subscription,
    list_subscriptions,
    max_lifetime,
    parse_notifications,
    reauthorize_subscription,
    renew_subscription,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def emu(emulator_clean):
    emulator_clean.notification_settings(allow_http_notifications=True, retry_initial=0.2)
    return emulator_clean


@pytest.fixture
def client(emu):
    endpoints = GraphEndpoints(authority_host=emu.base_url, graph_url=emu.base_url, ca_bundle=emu.ca_path)
    graph = GraphClient(AppCredentials(emu.tenant_id, emu.client_id, client_secret=emu.client_secret), endpoints)
    yield graph
    graph.close()


def test_subscribe_receive_renew_reauthorize_delete(emu, client, hook):
    now = dt.datetime.now(dt.UTC)
    sub = create_subscription(client, resource="users", change_type="updated,deleted",
                              notification_url=hook.url("/graph/notifications/"),
                              lifecycle_notification_url=hook.url("/graph/notifications/lifecycle/"),
                              expires=now + max_lifetime("users") - dt.timedelta(minutes=5), client_state="k" * 64)
    assert sub.client_state == "k" * 64 and sub.expires > now + dt.timedelta(days=28)
    assert [s.id for s in list_subscriptions(client)] == [sub.id]

    user = client.get("/users", params={"$top": "1", "$select": "id"})["value"][0]
    emu.control("PATCH", f"/_emulator/users/{user['id']}", json={"displayName": "Near Real Time"})
    [post] = hook.wait_for(lambda: hook.posts("/graph/notifications/"), message="a notification")
    [note] = parse_notifications(post.body)
    assert (note.subscription_id, note.change_type, note.resource_id, note.tenant_id, note.client_state) == (
        sub.id, "updated", user["id"], emu.tenant_id, "k" * 64)

    renewed = renew_subscription(client, sub.id, expires=now + dt.timedelta(days=2))
    assert renewed.id == sub.id and renewed.expires < sub.expires
    reauthorize_subscription(client, sub.id)
    delete_subscription(client, sub.id)
    assert list_subscriptions(client) == []
    with pytest.raises(NotFound):
        delete_subscription(client, sub.id)


def test_contacts_of_a_shared_mailbox(emu, client, hook):
    mailbox = emu.tenant["shared_mailboxes"][0]
    resource = f"users/{mailbox}/contacts"
    create_subscription(client, resource=resource, change_type="created,updated,deleted",
                        notification_url=hook.url("/n"), expires=dt.datetime.now(dt.UTC) + max_lifetime(resource))
    emu.control("POST", f"/_emulator/mailboxes/{mailbox}/contacts", json={"displayName": "Front desk"})
    [post] = hook.wait_for(lambda: hook.posts("/n"), message="a contact notification")
    assert parse_notifications(post.body)[0].change_type == "created"


def test_failed_handshake_and_missing_permission_are_typed(emu, client, hook):
    hook.handshake("/bad", mode="raw")
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    with pytest.raises(EndpointValidationFailed):
        create_subscription(client, resource="users", change_type="updated", notification_url=hook.url("/bad"),
                            expires=expires)
    with pytest.raises(PermissionDenied):  # group subscriptions need Group.Read.All, not GroupMember.Read.All
        create_subscription(client, resource="groups", change_type="updated", notification_url=hook.url("/n"),
                            expires=expires)
