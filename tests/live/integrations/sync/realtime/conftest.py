"""Near real-time end to end: the portal on a live server (the emulator POSTs notifications to it), a real Celery
worker on the test database and Redis, the emulator over HTTPS with MSAL tokens."""

import pytest

from integrations.models import EntraConnection
from integrations.sync.models import SyncKind, SyncRun
from integrations.sync.realtime.models import RealtimeSwitch
from integrations.sync.realtime.services import subscriptions_maintain
from integrations.sync.runs import run_execute, run_request
from tests.helpers.realtime import celery_worker
from tests.helpers.services import redis_url_or_skip


@pytest.fixture
def notifications(emu, live_server, settings):
    """Notifications allowed over http://127.0.0.1 to the live server (the emulator's --allow-http-notifications)."""
    redis_url_or_skip()
    settings.GRAPH_NOTIFICATION_URL = live_server.url
    settings.GRAPH_NOTIFICATION_ALLOW_HTTP = True
    emu.notification_settings(allow_http_notifications=True, retry_initial=0.2)
    return emu


@pytest.fixture
def worker(notifications, tmp_path):
    """A real worker; start it after the organization is set up (its first runs happen in the test process)."""
    def start():
        return celery_worker(tmp_path / "worker.log")

    return start


def connect(emu, organization, kinds=("users",), **features) -> EntraConnection:
    connection = EntraConnection.objects.create(
        organization=organization, tenant_id=emu.tenant_id, client_id=emu.client_id, client_secret=emu.client_secret,
        status=EntraConnection.Status.CONNECTED, **features)
    for kind in kinds:  # http: off by default, switched on as an admin would
        RealtimeSwitch.objects.create(organization=organization, kind=kind, enabled=True)
    return connection


def users_run(organization) -> SyncRun:
    run, _ = run_request(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.COMMAND,
                         enqueue=False)
    return run_execute(run.pk)


@pytest.fixture
def portal(notifications, worker, organization):
    """A connected organization (user sync on, All users) whose first sync is done, with a worker running."""
    connect(notifications, organization, feature_user_sync=True)
    assert users_run(organization).status == "succeeded"
    with worker():
        yield organization


@pytest.fixture
def subscribed(portal):
    """The organization's subscriptions created (the handshake against the live server included)."""
    outcome = subscriptions_maintain(portal)
    assert outcome["failed"] == 0, outcome
    return portal
