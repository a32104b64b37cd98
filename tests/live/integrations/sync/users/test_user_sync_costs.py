"""Deterministic costs: Graph requests (emulator counters) and database queries do not grow with the directory."""

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from integrations.models import EntraConnection
from integrations.sync.models import SyncKind, SyncRun
from integrations.sync.runs import run_execute, run_request
from tests.helpers.factories import make_organization

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def counted(queries) -> int:
    """Statements sent. SQLite caps the variables of one statement, so Django splits a bulk insert of a page into
    several there; PostgreSQL inserts a page in one statement. On SQLite only the other statements are compared."""
    sqls = [q["sql"] for q in queries.captured_queries]
    if db.vendor == "sqlite":
        sqls = [sql for sql in sqls if not sql.startswith("INSERT")]
    return len(sqls)


def graph_requests(emu) -> int:
    return sum(n for route, n in emu.request_counts()["by_route"].items() if " /v1.0/" in route)


def first_sync_of_new_org(emu, name: str):
    organization = make_organization(name)
    EntraConnection.objects.create(organization=organization, tenant_id=emu.tenant_id, client_id=emu.client_id,
                                   client_secret=emu.client_secret, status="connected")
    run, _ = run_request(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.COMMAND,
                         enqueue=False)
    emu.control("DELETE", "requests")
    with CaptureQueriesContext(db) as queries:
        run_execute(run.pk)
    run.refresh_from_db()
    return run, counted(queries), graph_requests(emu)


def test_full_sync_queries_do_not_grow_with_users(emu):
    small, small_queries, small_requests = first_sync_of_new_org(emu, "Small Co")
    emu.control("POST", "users/bulk", json={"operations": [
        {"op": "create", "user": {"displayName": f"Extra Person{i}", "mailNickname": f"extra.person{i}"}}
        for i in range(400)]})
    large, large_queries, large_requests = first_sync_of_new_org(emu, "Large Co")
    assert small.status == large.status == "succeeded"
    assert large.counts["created"] == small.counts["created"] + 400
    assert large_queries == small_queries, (small_queries, large_queries)
    assert small_requests == large_requests == 3  # verified domains, delta starting point, one page of 999


def test_incremental_run_costs(emu, sync, organization):
    sync()
    emu.control("DELETE", "requests")
    with CaptureQueriesContext(db) as quiet_queries:
        quiet = sync()
    assert graph_requests(emu) == quiet.graph_requests == 1
    users = [u for u in emu.graph("GET", "users?$select=id,accountEnabled&$top=60").json()["value"]
             if u["accountEnabled"]]
    for user in users[:5]:
        emu.control("PATCH", f"users/{user['id']}", json={"jobTitle": "Changed Title"})
    with CaptureQueriesContext(db) as five_queries:
        five = sync()
    for user in users[5:45]:
        emu.control("PATCH", f"users/{user['id']}", json={"jobTitle": "Changed Again"})
    with CaptureQueriesContext(db) as forty_queries:
        forty = sync()
    assert five.counts["updated"] == 5 and forty.counts["updated"] == 40
    assert five.graph_requests == forty.graph_requests == 1
    assert counted(forty_queries) == counted(five_queries), (counted(five_queries), counted(forty_queries))
    assert counted(quiet_queries) <= counted(five_queries)
