"""Benchmark: what each user-sync scope costs per run, on PostgreSQL against the emulator.

    .venv/bin/python bench/user_sync_scopes.py [--users 10000] [--database-url postgres://.../bench_sync]

For each scope (All users; Specific groups: the "Sales" department group and the nesting "All Staff" group;
Custom filter: department eq 'Sales'), a first run and a second run with nothing changed: wall time, Graph requests
and extensions in sync. All users switches to delta after its first run; groups and filters re-read every run.
"""

from __future__ import annotations

import argparse
import sys
import time

from _harness import DEFAULT_DATABASE_URL, connect_organization, emulator, fresh_database, setup_django


def run_once(organization) -> dict:
    from integrations.sync.models import SyncKind, SyncRun
    from integrations.sync.runs import run_execute, run_request

    run, _ = run_request(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.COMMAND,
                         enqueue=False)
    started = time.perf_counter()
    run_execute(run.pk)
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return {"seconds": seconds, "graph_requests": run.graph_requests}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    args = parser.parse_args()
    fresh_database(args.database_url)
    with emulator(args.users, ("--groups", "8")) as tenant:
        setup_django(args.database_url, tenant)
        from extensions.models import Extension
        from integrations.connection_client import graph_client_for
        from integrations.graph.users import filter_preview

        groups = {g["displayName"]: g["id"] for g in _groups(tenant)}
        scopes = {
            "All users": {},
            "Group: Sales": {"scope": "groups", "groups": [{"id": groups["Sales"], "name": "Sales"}]},
            "Group: All Staff (nests 7 groups)": {"scope": "groups",
                                                  "groups": [{"id": groups["All Staff"], "name": "All Staff"}]},
            "Filter: department eq 'Sales'": {"scope": "filter", "custom_filter": "department eq 'Sales'"},
        }
        print(f"{args.users:,} users in the directory")
        print(f"{'scope':<36} {'in scope':>9} {'1st run s':>10} {'req':>5} {'2nd run s':>10} {'req':>5}")
        for index, (label, fields) in enumerate(scopes.items()):
            organization = connect_organization(f"Scope Co {index}", tenant, range_start=100000, range_end=999999,
                                                **fields)
            client = graph_client_for(organization.entra_connection)
            client.acquire_app_token()
            if fields.get("scope") == "filter":
                preview = filter_preview(client, fields["custom_filter"])
                settings = organization.user_sync_settings
                settings.filter_check = {"status": "valid", "filter": fields["custom_filter"],
                                         "advanced": preview.advanced, "count": preview.count}
                settings.save()
            first, second = run_once(organization), run_once(organization)
            synced = Extension.objects.filter(organization=organization, status="active").count()
            print(f"{label:<36} {synced:>9,} {first['seconds']:>10.2f} {first['graph_requests']:>5} "
                  f"{second['seconds']:>10.2f} {second['graph_requests']:>5}")
    return 0


def _groups(tenant: dict) -> list[dict]:
    import requests

    token = requests.post(f"{tenant['authority_host']}/{tenant['tenant_id']}/oauth2/v2.0/token", data={
        "grant_type": "client_credentials", "client_id": tenant["app"]["client_id"],
        "client_secret": tenant["app"]["client_secret"], "scope": "https://graph.microsoft.com/.default"},
        verify=tenant["ca_path"], timeout=30).json()["access_token"]
    return requests.get(f"{tenant['base_url']}/v1.0/groups?$select=id,displayName&$top=999",
                        headers={"Authorization": f"Bearer {token}"}, verify=tenant["ca_path"],
                        timeout=30).json()["value"]


if __name__ == "__main__":
    sys.exit(main())
