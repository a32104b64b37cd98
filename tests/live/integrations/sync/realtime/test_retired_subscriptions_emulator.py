"""Against the emulator: a connection saved with another application deletes the old application's subscriptions
at Microsoft (a worker, with the old secret); the web process only forgets them and queues that."""

import pytest

from integrations.models import EntraConnection
from integrations.services import connection_save
from integrations.sync.realtime.models import Subscription
from tests.helpers.subscriptions import created

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
OTHER_CLIENT = "3f2e1d0c-0000-4000-8000-00000000abcd"


def test_another_app_saved_deletes_the_old_apps_subscriptions_at_microsoft(emu, hook, organization, celery_eager,
                                                                          django_capture_on_commit_callbacks):
    emu.notification_settings(allow_http_notifications=True)
    connection = EntraConnection.objects.create(organization=organization, tenant_id=emu.tenant_id,
                                                client_id=emu.client_id, client_secret=emu.client_secret,
                                                status=EntraConnection.Status.CONNECTED)
    graph_ids = [created(emu, hook.url("/notify"))["id"],
                 created(emu, hook.url("/notify"), f"users/{emu.tenant['shared_mailboxes'][0]}/contacts",
                         changeType="created")["id"]]
    for graph_id, resource in zip(graph_ids, ("users", "mailbox"), strict=True):
        Subscription.objects.create(organization=organization, kind="users", resource=resource, graph_id=graph_id,
                                    change_type="updated", status="active")
    emu.graph("DELETE", f"subscriptions/{graph_ids[1]}")  # already gone at Microsoft: its 404 is fine

    with django_capture_on_commit_callbacks() as queued:
        connection.client_id = OTHER_CLIENT
        connection_save(connection=connection, certificate=None, actor=None, cleaned_data={
            "tenant_id": emu.tenant_id, "client_id": OTHER_CLIENT, "credential_type": "secret",
            "secret_expires_on": None, "client_secret": "the-new-apps-secret"})
    assert not Subscription.objects.filter(organization=organization).exists()
    assert graph_ids[0] in {s["id"] for s in emu.graph("GET", "subscriptions").json()["value"]}  # not yet: a worker
    for callback in queued:
        callback()
    assert emu.graph("GET", "subscriptions").json()["value"] == []
