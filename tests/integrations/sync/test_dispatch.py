"""Dispatch, quarantine and retention: the run machinery shared by user, contact and presence sync."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.dispatch import dispatch_due_syncs, sync_housekeeping
from integrations.sync.models import SyncRun, SyncSchedule
from integrations.sync.quarantine import QUARANTINE_AFTER_FAILURES, schedule_after_run
from integrations.sync.retention import purge_sync_log
from integrations.sync.runs import reap_stale_runs, run_execute
from organizations.models import Organization
from tests.helpers.factories import make_admin, make_organization

pytestmark = pytest.mark.django_db


def connect(organization, **fields):
    values = {"tenant_id": "contoso.onmicrosoft.com", "client_id": "00001111-aaaa-2222-bbbb-3333cccc4444",
              "client_secret": "s3cret-value-0123456789abcdefghij", "status": "connected",
              "feature_user_sync": True, **fields}
    return EntraConnection.objects.create(organization=organization, **values)


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr("integrations.sync.tasks.run_sync.delay", sent.append)
    monkeypatch.setattr("integrations.sync.tasks.run_sync.apply_async",
                        lambda args, **options: sent.append(args[0]))
    return sent


def test_dispatch_queues_one_task_per_due_runnable_organization(queued, django_capture_on_commit_callbacks):
    due = [make_organization(f"Due {i}") for i in range(3)]
    for organization in due:
        connect(organization)
    connect(make_organization("Paused"), syncs_paused=True)
    connect(make_organization("Off"), feature_user_sync=False)
    later = make_organization("Later")
    connect(later)
    SyncSchedule.objects.filter(organization=later).update(next_run_at=timezone.now() + timedelta(minutes=3))
    held = make_organization("Held")
    connect(held)
    SyncSchedule.objects.filter(organization=held).update(quarantined_until=timezone.now() + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = dispatch_due_syncs()
    assert outcome["queued"] == 3
    assert sorted(SyncRun.objects.values_list("organization__name", flat=True)) == ["Due 0", "Due 1", "Due 2"]
    assert len(queued) == 3
    with django_capture_on_commit_callbacks(execute=True):
        again = dispatch_due_syncs()
    assert again["queued"] == 0 and SyncRun.objects.count() == 3  # not due again until the runs finish


def test_a_crashed_workers_run_is_closed_and_the_next_dispatch_starts_a_new_one(queued):
    organization = make_organization("Crashy")
    connect(organization)
    dispatch_due_syncs()
    stale = SyncRun.objects.get()
    SyncRun.objects.filter(pk=stale.pk).update(status="running", heartbeat_at=timezone.now() - timedelta(hours=1))
    SyncSchedule.objects.update(next_run_at=None)
    sync_housekeeping()
    dispatch_due_syncs()
    stale.refresh_from_db()
    assert stale.status == "failed" and "worker" in stale.error
    assert SyncRun.objects.filter(status="queued").count() == 1


def test_ten_thousand_organizations_with_nothing_due_cost_one_query(django_assert_num_queries):
    later = timezone.now() + timedelta(minutes=30)
    organizations = Organization.objects.bulk_create(
        [Organization(name=f"Quiet {i}", slug=f"quiet-{i}") for i in range(10_000)])
    EntraConnection.objects.bulk_create(
        [EntraConnection(organization=o, tenant_id="contoso.onmicrosoft.com", client_id="c", client_secret="s",
                         feature_user_sync=True) for o in organizations])
    SyncSchedule.objects.bulk_create([SyncSchedule(organization=o, kind="users", next_run_at=later)
                                      for o in organizations])
    with django_assert_num_queries(1):
        assert dispatch_due_syncs() == {"queued": 0, "busy": 0, "skipped": 0}


def test_due_organizations_are_queued_in_bulk_whatever_their_number(queued, django_assert_max_num_queries,
                                                                    django_capture_on_commit_callbacks):
    organizations = [make_organization(f"Due {i}") for i in range(40)]
    for organization in organizations:
        connect(organization)
    busy = organizations[0]
    SyncRun.objects.create(organization=busy, kind="users", trigger="manual")  # a Sync Now already queued
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(8):
        outcome = dispatch_due_syncs()
    assert outcome == {"queued": 39, "busy": 1, "skipped": 0}
    assert len(queued) == 39 and len(set(queued)) == 39
    assert not SyncSchedule.objects.filter(next_run_at__isnull=True).exclude(organization=busy).exists()


def test_a_kind_switched_on_gets_its_schedule_when_the_connection_is_saved():
    connection = connect(make_organization("New"), feature_contacts=True)
    assert set(SyncSchedule.objects.filter(organization=connection.organization).values_list("kind", flat=True)) \
        == {"users", "contacts"}


def test_a_live_run_is_not_taken_over(queued):
    organization = make_organization("Busy")
    connect(organization)
    run = SyncRun.objects.create(organization=organization, kind="users", trigger="manual", status="running",
                                 heartbeat_at=timezone.now())
    assert run_execute(run.pk) is None
    assert reap_stale_runs() == 0
    run.refresh_from_db()
    assert run.status == "running"


def test_repeated_failures_quarantine_with_back_off_and_mail_once(settings):
    organization = make_organization("Failing")
    make_admin(organization, "failing-admin")
    now = timezone.now()
    for attempt in range(QUARANTINE_AFTER_FAILURES + 1):
        run = SyncRun.objects.create(organization=organization, kind="users", trigger="schedule", status="failed",
                                     error="Reading users was refused")
        schedule = schedule_after_run(run, now=now)
        if attempt < QUARANTINE_AFTER_FAILURES - 1:
            assert schedule.quarantined_until is None
    assert schedule.consecutive_failures == QUARANTINE_AFTER_FAILURES + 1
    assert schedule.quarantined_until - now == timedelta(minutes=30)  # 15 min, doubled after one more failure
    assert "Reading users was refused" in schedule.quarantine_reason
    assert len(mail.outbox) == 1 and "failing" in mail.outbox[0].subject
    ok = SyncRun.objects.create(organization=organization, kind="users", trigger="manual", status="succeeded")
    schedule = schedule_after_run(ok, now=now)
    assert schedule.quarantined_until is None and schedule.consecutive_failures == 0


def test_old_runs_are_purged_but_active_ones_kept(settings):
    settings.SYNC_LOG_RETENTION_DAYS = 30
    organization = make_organization("Old")
    old = SyncRun.objects.create(organization=organization, kind="users", trigger="schedule", status="succeeded")
    recent = SyncRun.objects.create(organization=organization, kind="users", trigger="schedule", status="succeeded")
    SyncRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    purge_sync_log()
    assert list(SyncRun.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db(transaction=True)
def test_heartbeat_keeps_a_waiting_run_alive():
    import time

    from integrations.sync.heartbeat import Heartbeat

    organization = make_organization("Waiting")
    old = timezone.now() - timedelta(hours=1)
    run = SyncRun.objects.create(organization=organization, kind="users", trigger="manual", status="running",
                                 heartbeat_at=old)
    with Heartbeat(run.pk, interval=0.05):
        deadline = time.monotonic() + 30
        while SyncRun.objects.get(pk=run.pk).heartbeat_at <= old + timedelta(minutes=59):  # wait for a beat
            assert time.monotonic() < deadline, "no heartbeat within 30 s"
            time.sleep(0.02)
    run.refresh_from_db()
    assert run.heartbeat_at > old + timedelta(minutes=59)
    assert reap_stale_runs() == 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sync_now_create_one_run(monkeypatch):
    """Two admins click Sync Now at the same moment: the database lock lets exactly one run exist."""
    import threading

    from django.db import connection, connections

    from integrations.sync.runs import run_request

    if connection.vendor == "sqlite":
        pytest.skip("needs a database server shared by two connections (CI runs it on PostgreSQL)")
    monkeypatch.setattr("integrations.sync.tasks.run_sync.delay", lambda run_id: None)
    organization = make_organization("Race")
    connect(organization)
    barrier = threading.Barrier(2)
    results = []

    def click():
        try:
            barrier.wait()
            results.append(run_request(organization=organization, kind="users", trigger="manual"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created for _, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk
    assert SyncRun.objects.filter(organization=organization).count() == 1
