"""Benchmark: user sync at 1,000, 10,000 and 100,000 users on PostgreSQL, against the emulator.

    .venv/bin/python bench/user_sync.py [--sizes 1000 10000 100000] [--database-url postgres://.../bench_sync]

Each size runs in its own process (peak memory is that process's maximum RSS) with a fresh database:
- full sync: wall time, users/s, Graph requests, database queries, peak memory;
- the floor: the same pages fetched with the same client and the rows inserted with the same set-based insert
  (COPY), with no mapping, planning, numbering or logging; and the ratio of the full sync to it;
- database queries count every statement, COPY included;
- then an incremental run after 10 changes: wall time and Graph requests;
- then a full re-read of the unchanged directory (what --full or an expired delta token costs).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from _harness import (
    DEFAULT_DATABASE_URL,
    ROOT,
    QueryCounter,
    connect_organization,
    control,
    emulator,
    fresh_database,
    setup_django,
)


def measure_sync(organization, *, full: bool) -> dict:
    from django.db import connection

    from integrations.sync.models import SyncKind, SyncRun
    from integrations.sync.runs import run_execute, run_request

    run, _ = run_request(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.COMMAND, full=full,
                         enqueue=False)
    from integrations.sync import bulk

    counter = QueryCounter()
    copies = bulk.statements
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        run_execute(run.pk)
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return {"seconds": elapsed, "graph_requests": run.graph_requests,
            "queries": counter.count + bulk.statements - copies, "counts": run.counts}


def measure_floor(organization) -> dict:
    """Fetch every page with the product's client and bulk-insert one row per user: nothing else."""
    from django.utils import timezone

    from extensions.models import Extension
    from integrations.connection_client import graph_client_for
    from integrations.graph.users import user_pages
    from integrations.sync.bulk import insert_rows
    from integrations.sync.users.apply import CREATE_COLUMNS

    FLOOR_COLUMNS = [c if c != "organization" else "organization_id" for c in CREATE_COLUMNS]
    client = graph_client_for(organization.entra_connection)
    client.acquire_app_token()
    number = 100000
    started = time.perf_counter()
    now = timezone.now()
    for page in user_pages(client):  # the product's typed reads of the same pages
        rows = []
        for user in page:
            rows.append((organization.pk, "entra", user.id, str(number), "active", "synced", "", None, now, now,
                         now, user.display_name, "", "", user.mail, "", "", "", "", user.user_principal_name))
            number += 1
        insert_rows(Extension, FLOOR_COLUMNS, rows)  # the same set-based insert the sync uses
    return {"seconds": time.perf_counter() - started}


def child(users: int, database_url: str) -> dict:
    fresh_database(database_url)
    with emulator(users) as tenant:
        setup_django(database_url, tenant)
        from integrations.graph import clear_clients

        floor_org = connect_organization("Floor Co", tenant)
        floor = measure_floor(floor_org)
        clear_clients()
        organization = connect_organization("Bench Co", tenant, range_start=100000, range_end=999999)
        from integrations.connection_client import graph_client_for

        graph_client_for(organization.entra_connection).acquire_app_token()  # as warm as the floor's client
        full = measure_sync(organization, full=False)
        result = {"users": users, "full": full, "floor": floor,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        ids = [u["id"] for u in _some_users(tenant, 10)]
        control(tenant, "POST", "users/bulk", {"operations": [
            {"op": "update", "id": uid, "changes": {"jobTitle": f"Changed {i}"}} for i, uid in enumerate(ids)]})
        result["incremental"] = measure_sync(organization, full=False)
        result["resync"] = measure_sync(organization, full=True)
        return result


def _some_users(tenant: dict, count: int) -> list[dict]:
    import requests

    token = requests.post(f"{tenant['authority_host']}/{tenant['tenant_id']}/oauth2/v2.0/token", data={
        "grant_type": "client_credentials", "client_id": tenant["app"]["client_id"],
        "client_secret": tenant["app"]["client_secret"], "scope": "https://graph.microsoft.com/.default"},
        verify=tenant["ca_path"], timeout=30).json()["access_token"]
    body = requests.get(f"{tenant['base_url']}/v1.0/users?$select=id,accountEnabled&$top=50",
                        headers={"Authorization": f"Bearer {token}"}, verify=tenant["ca_path"], timeout=30).json()
    return [u for u in body["value"] if u["accountEnabled"]][:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.database_url)))
        return 0
    print(f"{'users':>8} {'full s':>8} {'users/s':>9} {'floor s':>8} {'ratio':>6} {'Graph req':>9} {'queries':>8} "
          f"{'peak MB':>8}")
    results = []
    for size in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--child", str(size), "--database-url", args.database_url],
                             cwd=ROOT, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        full, floor = result["full"], result["floor"]
        created = full["counts"].get("created", 0)
        print(f"{size:>8} {full['seconds']:>8.2f} {created / full['seconds']:>9,.0f} {floor['seconds']:>8.2f} "
              f"{full['seconds'] / floor['seconds']:>6.2f} {full['graph_requests']:>9} {full['queries']:>8} "
              f"{result['peak_rss_mb']:>8.0f}")
    for result in results:
        inc = result["incremental"]
        print(f"incremental run, 10 changes in {result['users']:,} users: {inc['seconds'] * 1000:.0f} ms, "
              f"{inc['graph_requests']} Graph requests, {inc['queries']} queries, updated "
              f"{inc['counts'].get('updated', 0)}")
    for result in results:
        again = result["resync"]
        print(f"full re-sync of the unchanged {result['users']:,} users (--full): {again['seconds']:.2f} s, "
              f"{again['graph_requests']} Graph requests, {again['queries']} queries, unchanged "
              f"{again['counts'].get('unchanged', 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
