"""A coalesced notification becomes the kind's run: a queued run already covers it, a running one gets a follow-up."""

import pytest

from integrations.models import EntraConnection
from integrations.sync.models import SyncRun
from integrations.sync.realtime.coalesce import RunInProgress, notification_received

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(organization, monkeypatch):
    monkeypatch.setattr("integrations.sync.tasks.run_sync.delay", lambda *args: None)
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com", client_id="c",
                                   client_secret="s", feature_user_sync=True, feature_contacts=True)
    return organization


def test_a_notification_requests_the_kinds_run(connected):
    assert notification_received(connected.pk, "users", "").startswith("run ")
    run = SyncRun.objects.get()
    assert (run.kind, run.trigger, run.options) == ("users", "notification", {})


def test_a_queued_run_has_not_read_yet_so_it_covers_the_change(connected):
    queued = SyncRun.objects.create(organization=connected, kind="users", trigger="schedule")
    assert notification_received(connected.pk, "users", "") == f"coalesced into queued run {queued.pk}"
    assert SyncRun.objects.count() == 1


def test_a_running_run_may_have_read_already_so_a_follow_up_comes_after_it(connected):
    running = SyncRun.objects.create(organization=connected, kind="users", trigger="schedule", status="running")
    with pytest.raises(RunInProgress):  # the task retries until the run has finished ...
        notification_received(connected.pk, "users", "")
    SyncRun.objects.filter(pk=running.pk).update(status="succeeded")
    assert notification_received(connected.pk, "users", "").startswith("run ")  # ... then the follow-up run
    assert SyncRun.objects.filter(trigger="notification").count() == 1


def test_another_mailbox_joins_a_queued_mailbox_run(connected):
    notification_received(connected.pk, "contacts", "mailbox-a")
    assert notification_received(connected.pk, "contacts", "mailbox-b").startswith("added to queued run")
    assert SyncRun.objects.get().options == {"mailboxes": ["mailbox-a", "mailbox-b"]}


def test_nothing_runs_for_a_kind_switched_off(connected):
    EntraConnection.objects.update(feature_user_sync=False)
    assert notification_received(connected.pk, "users", "") == "not runnable"
    assert not SyncRun.objects.exists()
