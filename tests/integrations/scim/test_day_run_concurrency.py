"""One SCIM sync-log run per organization and day, also when the day's first two requests arrive together."""

import threading

import pytest
from django.db import connection, connections, transaction

from integrations.scim.log import RequestLog
from integrations.scim.mode import SCIM, provisioning_mode_choose
from integrations.sync.models import SyncEvent, SyncRun
from tests.helpers.factories import make_organization
from tests.helpers.scim_endpoint import ScimClient, scim_user
from tests.helpers.waiting import wait_until


def scim_runs(organization):
    return SyncRun.objects.filter(organization=organization, trigger=SyncRun.Trigger.SCIM)


@pytest.mark.django_db
def test_requests_of_a_day_share_one_run(organization):
    provisioning_mode_choose(organization=organization, mode=SCIM, actor=None)
    scim = ScimClient(organization)
    assert scim.post("/Users", scim_user("alex@contoso.com")).status_code == 201
    assert scim.post("/Users", scim_user("megan@contoso.com")).status_code == 201
    assert scim_runs(organization).count() == 1
    assert SyncEvent.objects.filter(run__in=scim_runs(organization), action="created").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_first_requests_of_a_day_at_once_make_one_run():
    """Request A has opened the day's run (not yet committed) when request B arrives on another connection: B must
    wait for A and then write into A's run, not find no run and open a second one."""
    if connection.vendor == "sqlite":
        pytest.skip("needs a database server shared by two connections (CI runs it on PostgreSQL); SQLite's "
                    "IMMEDIATE transactions run one request at a time anyway")
    organization = make_organization("Race")
    provisioning_mode_choose(organization=organization, mode=SCIM, actor=None)
    scim = ScimClient(organization)
    opened, release = threading.Event(), threading.Event()
    a_committed, b_pid, b_status = [], [], []

    def request_a():
        try:
            with transaction.atomic():
                a_committed.append(RequestLog(organization).run.pk)  # the day's first request opens the day's run
                opened.set()
                release.wait(60)
        finally:
            opened.set()
            connections.close_all()

    def request_b():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                b_pid.append(cursor.fetchone()[0])
            b_status.append(scim.post("/Users", scim_user("alex@contoso.com")).status_code)
        finally:
            connections.close_all()

    a, b = threading.Thread(target=request_a), threading.Thread(target=request_b)
    a.start()
    assert opened.wait(60)
    b.start()

    def b_waits_for_a_lock_or_is_done():
        if not b.is_alive():
            return True
        if not b_pid:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [b_pid[0]])
            row = cursor.fetchone()
        return bool(row) and row[0] == "Lock"

    try:
        wait_until(b_waits_for_a_lock_or_is_done, message="request B to block on A's lock or finish")
    finally:
        release.set()
        a.join(60)
        b.join(60)
    assert len(a_committed) == 1 and b_status == [201]
    assert list(scim_runs(organization).values_list("pk", flat=True)) == a_committed
    assert SyncEvent.objects.get(run__organization=organization, action="created").run_id == a_committed[0]
