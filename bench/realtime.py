"""Benchmark: near real-time updates (Microsoft Graph change notifications) end to end.

    .venv/bin/python bench/realtime.py [--changes 200] [--burst 2000] [--burst-seconds 10] [--fleet 10000]
        [--database-url postgres://.../bench_realtime] [--redis-url redis://127.0.0.1:6379/13] [--port 8931]

PostgreSQL, Redis, the emulator (with --allow-http-notifications), the portal under gunicorn (the emulator POSTs its
notifications there) and a real Celery worker. Scheduled intervals are 60 minutes, so polling cannot explain a lag.

1. Lag from a change in Entra (rename, disable, new user; a contact added to one mailbox) to the PBX row: p50/p95.
2. Graph requests of a quiet organization per hour: the safety-net run, upkeep that has nothing to renew, a renewal.
3. The dispatcher over --fleet organizations with nothing due: wall time and queries per tick, tasks queued.
4. A burst of notifications through gunicorn: answer times (p50/p99/max), and every notification accounted for
   (counted on its subscription; runs requested).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from _harness import ROOT, connect_organization, control, emulator, fresh_database, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_realtime"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def wait_for(condition, timeout: float = 120, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {message}")
        time.sleep(0.05)
    return result


def start_services(port: int, env: dict, logs: Path) -> list[subprocess.Popen]:
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "pbx_portal.wsgi:application", "--workers", "3",
                            "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env,
                           stdout=open(logs / "gunicorn.log", "w"), stderr=subprocess.STDOUT)
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "pbx_portal", "worker", "--pool", "threads",
                               "--concurrency", "4", "--purge", "--loglevel", "WARNING", "--without-gossip",
                               "--without-mingle", "--hostname", f"bench-realtime-{os.getpid()}@%h"],
                              cwd=ROOT, env=env, stdout=open(logs / "worker.log", "w"),
                              stderr=subprocess.STDOUT)
    import requests

    wait_for(lambda: _answers(requests, f"http://127.0.0.1:{port}/healthz"), 60, "gunicorn")
    return [web, worker]


def _answers(requests, url) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 600
    except requests.RequestException:
        return False


def settled(organization) -> bool:
    from integrations.sync.models import SyncRun

    return not SyncRun.objects.filter(organization=organization, status__in=SyncRun.ACTIVE_STATUSES).exists()


def first_run(organization, kind: str):
    from integrations.sync.models import SyncRun
    from integrations.sync.runs import run_execute, run_request

    run, _ = run_request(organization=organization, kind=kind, trigger=SyncRun.Trigger.COMMAND, enqueue=False)
    run = run_execute(run.pk)
    assert run.status == "succeeded", run.error
    return run


def subscribe(organization, kind: str) -> None:
    from integrations.sync.models import SyncSchedule
    from integrations.sync.realtime.models import RealtimeSwitch
    from integrations.sync.realtime.services import subscriptions_maintain

    RealtimeSwitch.objects.update_or_create(organization=organization, kind=kind, defaults={"enabled": True})
    SyncSchedule.objects.filter(organization=organization).update(interval_seconds=3600)
    outcome = subscriptions_maintain(organization)
    assert outcome["failed"] == 0, outcome
    wait_for(lambda: settled(organization), 300, "the catch-up runs")


def setup_contacts_org(tenant: dict):
    from contacts.models import ContactSettings
    from extensions.models import Extension
    from integrations.models import EntraConnection
    from organizations.models import Organization

    organization = Organization.objects.create(name="Realtime Contacts", slug="realtime-contacts")
    EntraConnection.objects.create(organization=organization, tenant_id=tenant["tenant_id"],
                                   client_id=tenant["app"]["client_id"], client_secret=tenant["app"]["client_secret"],
                                   status=EntraConnection.Status.CONNECTED, feature_contacts=True)
    ContactSettings.objects.create(organization=organization, personal_enabled=True, shared_enabled=False)
    owners = tenant["users"][:4]
    for i, user in enumerate(owners):
        Extension.objects.create(organization=organization, number=str(3000 + i), display_name=user["display_name"],
                                 email=user["username"], entra_object_id=user["id"], source=Extension.Source.ENTRA)
    first_run(organization, "contacts")
    return organization, [user["id"] for user in owners]


def extension_exists(organization, entra_id, **fields) -> bool:
    from extensions.models import Extension

    return Extension.objects.filter(organization=organization, entra_object_id=entra_id, **fields).exists()


def extension_inactive(organization, entra_id) -> bool:
    return not extension_exists(organization, entra_id, status="active")


def contact_exists(organization, name) -> bool:
    from contacts.models import Contact

    return Contact.objects.filter(mailbox__organization=organization, display_name=name).exists()


def measure_lag(tenant, users_org, contacts_org, mailboxes, changes: int) -> dict:
    from extensions.models import Extension
    from integrations.sync.models import SyncRun

    active = list(Extension.objects.filter(organization=users_org, status="active", source="entra")
                  .values_list("entra_object_id", flat=True))
    runs_before = SyncRun.objects.filter(trigger=SyncRun.Trigger.NOTIFICATION).count()
    pending, lags, kinds = {}, [], {}
    plan = []
    for i in range(changes):
        kind = ("contact" if i % 10 == 3 else "disable" if i % 10 == 5 else "new_user" if i % 10 == 7 else "rename")
        plan.append(kind)
    cursor = 0
    next_at = time.monotonic()
    deadline = time.monotonic() + changes * 0.4 + 120
    while (cursor < len(plan) or pending) and time.monotonic() < deadline:
        if cursor < len(plan) and time.monotonic() >= next_at:
            kind = plan[cursor]
            key = f"{kind}-{cursor}"
            started = time.monotonic()
            if kind == "rename":
                entra_id = str(active[cursor % len(active)])
                name = f"Renamed {cursor} {uuid.uuid4().hex[:6]}"
                control(tenant, "PATCH", f"users/{entra_id}", {"displayName": name})
                check = partial(extension_exists, users_org, entra_id, display_name=name)
            elif kind == "disable":
                entra_id = str(active.pop())
                control(tenant, "PATCH", f"users/{entra_id}", {"accountEnabled": False})
                check = partial(extension_inactive, users_org, entra_id)
            elif kind == "new_user":
                created = control(tenant, "POST", "users", {"displayName": f"New Person {cursor}",
                                                            "mailNickname": f"new.person.{cursor}"})
                check = partial(extension_exists, users_org, created["id"], status="active")
            else:
                mailbox = mailboxes[cursor % len(mailboxes)]
                name = f"Supplier {cursor}"
                control(tenant, "POST", f"mailboxes/{mailbox}/contacts",
                        {"displayName": name, "businessPhones": [f"+1 425 555 {1000 + cursor}"]})
                check = partial(contact_exists, contacts_org, name)
            pending[key] = (started, check, kind)
            cursor += 1
            next_at = started + 0.3
        for key, (started, check, kind) in list(pending.items()):
            if check():
                lags.append(time.monotonic() - started)
                kinds.setdefault(kind, []).append(time.monotonic() - started)
                del pending[key]
        time.sleep(0.02)
    wait_for(lambda: settled(users_org) and settled(contacts_org), 120, "the runs to finish")
    scheduled = SyncRun.objects.filter(trigger=SyncRun.Trigger.SCHEDULE).count()
    return {"changes": len(lags), "lost": len(pending), "p50": percentile(lags, 50), "p95": percentile(lags, 95),
            "max": max(lags), "by_kind": {k: (len(v), percentile(v, 50), percentile(v, 95)) for k, v in kinds.items()},
            "runs": SyncRun.objects.filter(trigger=SyncRun.Trigger.NOTIFICATION).count() - runs_before,
            "scheduled_runs": scheduled}


def quiet_requests(tenant, organization) -> dict:
    from django.conf import settings

    from integrations.graph.subscriptions import DIRECTORY_MAX_LIFETIME
    from integrations.sync.models import SyncRun
    from integrations.sync.realtime.services import subscriptions_maintain
    from integrations.sync.runs import run_execute, run_request

    def graph_requests() -> int:
        counts = control(tenant, "GET", "requests")
        return sum(n for route, n in counts["by_route"].items() if " /v1.0/" in route)

    control(tenant, "DELETE", "requests")
    run, _ = run_request(organization=organization, kind="users", trigger=SyncRun.Trigger.SCHEDULE, enqueue=False)
    run_execute(run.pk)
    per_run = graph_requests()
    control(tenant, "DELETE", "requests")
    subscriptions_maintain(organization)
    upkeep = graph_requests()
    control(tenant, "DELETE", "requests")
    subscriptions_maintain(organization, force_renew=True)
    renewal = graph_requests()
    runs_per_hour = 3600 / (settings.GRAPH_NOTIFICATION_SAFETY_NET_MINUTES * 60)
    renewals_per_hour = 1 / (DIRECTORY_MAX_LIFETIME.total_seconds() / 2 / 3600)
    return {"per_safety_net_run": per_run, "upkeep_nothing_due": upkeep, "per_renewal": renewal,
            "per_hour": runs_per_hour * per_run + renewals_per_hour * renewal + 12 * upkeep,
            "polling_5_min_per_hour": 12 * per_run}


def fleet_tick(count: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from integrations.models import EntraConnection
    from integrations.sync.dispatch import dispatch_due_syncs
    from integrations.sync.models import SyncSchedule
    from organizations.models import Organization

    later = timezone.now() + timezone.timedelta(hours=1)
    organizations = Organization.objects.bulk_create(
        [Organization(name=f"Fleet {i:05d}", slug=f"fleet-{i:05d}") for i in range(count)], batch_size=2000)
    EntraConnection.objects.bulk_create(
        [EntraConnection(organization=o, tenant_id=str(uuid.uuid4()), client_id="c", client_secret="s",
                         feature_user_sync=True) for o in organizations], batch_size=2000)
    SyncSchedule.objects.bulk_create([SyncSchedule(organization=o, kind="users", next_run_at=later)
                                      for o in organizations], batch_size=2000)
    times, queries, queued = [], 0, 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            outcome = dispatch_due_syncs()
            times.append(time.perf_counter() - started)
        queries, queued = len(captured), queued + outcome["queued"]
    return {"median_seconds": statistics.median(times), "max_seconds": max(times), "queries": queries,
            "queued": queued}


def burst(tenant, port: int, count: int, seconds: float, organizations) -> dict:
    import requests

    from integrations.sync.models import SyncRun
    from integrations.sync.realtime.models import Subscription

    live = {s["id"]: s for s in control(tenant, "GET", "subscriptions")["subscriptions"]}
    rows = [row for row in Subscription.objects.filter(organization__in=organizations) if row.graph_id in live]
    before = sum(Subscription.objects.filter(pk__in=[r.pk for r in rows]).values_list("notifications", flat=True))
    runs_before = SyncRun.objects.filter(trigger=SyncRun.Trigger.NOTIFICATION).count()
    url = f"http://127.0.0.1:{port}/graph/notifications/"
    bodies = []
    for i in range(count):
        row = rows[i % len(rows)]
        item = {"subscriptionId": row.graph_id, "subscriptionExpirationDateTime": live[row.graph_id][
            "expirationDateTime"], "changeType": "updated", "resource": f"Users/{uuid.uuid4()}",
                "resourceData": {"id": str(uuid.uuid4())}, "clientState": live[row.graph_id]["clientState"],
                "tenantId": row.tenant_id}
        bodies.append(json.dumps({"value": [item]}))
    session_pool = [requests.Session() for _ in range(32)]
    start = time.monotonic() + 0.5

    def send(i: int):
        time.sleep(max(0.0, start + i * seconds / count - time.monotonic()))
        began = time.perf_counter()
        answer = session_pool[i % 32].post(url, data=bodies[i], headers={"Content-Type": "application/json"},
                                           timeout=10)
        return answer.status_code, time.perf_counter() - began

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(send, range(count)))
    wall = time.monotonic() - start
    statuses = {}
    for status, _elapsed in results:
        statuses[status] = statuses.get(status, 0) + 1
    times = [elapsed for _status, elapsed in results]

    def counted() -> int:
        return sum(Subscription.objects.filter(pk__in=[r.pk for r in rows]).values_list("notifications", flat=True))

    wait_for(lambda: counted() - before >= count and all(settled(o) for o in organizations), 300,
             "every notification to be counted")
    return {"sent": count, "wall": wall, "statuses": statuses, "p50": percentile(times, 50) * 1000,
            "p99": percentile(times, 99) * 1000, "max": max(times) * 1000, "counted": counted() - before,
            "runs": SyncRun.objects.filter(trigger=SyncRun.Trigger.NOTIFICATION).count() - runs_before}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument("--fleet", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    fresh_database(args.database_url)
    os.environ.update(GRAPH_NOTIFICATION_URL=f"http://127.0.0.1:{args.port}", GRAPH_NOTIFICATION_ALLOW_HTTP="true")
    with emulator(args.users, ("--allow-http-notifications",)) as tenant, tempfile.TemporaryDirectory() as logs:
        setup_django(args.database_url, tenant, redis_url=args.redis_url)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pbx_portal.settings"}
        processes = start_services(args.port, env, Path(logs))
        try:
            users_org = connect_organization("Realtime Users", tenant)
            first_run(users_org, "users")
            subscribe(users_org, "users")
            contacts_org, mailboxes = setup_contacts_org(tenant)
            subscribe(contacts_org, "contacts")
            lag = measure_lag(tenant, users_org, contacts_org, mailboxes, args.changes)
            quiet = quiet_requests(tenant, users_org)
            flood = burst(tenant, args.port, args.burst, args.burst_seconds, [users_org, contacts_org])
            fleet = fleet_tick(args.fleet)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
    print(f"lag over {lag['changes']} changes ({lag['lost']} never arrived): p50 {lag['p50']:.2f} s, "
          f"p95 {lag['p95']:.2f} s, max {lag['max']:.2f} s; {lag['runs']} notification runs, "
          f"{lag['scheduled_runs']} scheduled runs")
    for kind, (n, p50, p95) in sorted(lag["by_kind"].items()):
        print(f"  {kind:<9} {n:>4} changes: p50 {p50:.2f} s, p95 {p95:.2f} s")
    print(f"quiet organization: {quiet['per_safety_net_run']} Graph request(s) per safety-net run, "
          f"{quiet['upkeep_nothing_due']} per upkeep with nothing due, {quiet['per_renewal']} per renewal -> "
          f"{quiet['per_hour']:.2f} per hour (polling every 5 minutes: {quiet['polling_5_min_per_hour']})")
    print(f"burst: {flood['sent']} notifications in {flood['wall']:.1f} s through gunicorn: answers "
          f"{flood['statuses']}, p50 {flood['p50']:.1f} ms, p99 {flood['p99']:.1f} ms, max {flood['max']:.1f} ms; "
          f"{flood['counted']} counted on their subscriptions, {flood['runs']} runs")
    print(f"dispatcher, {args.fleet} organizations with nothing due: {fleet['median_seconds'] * 1000:.1f} ms per "
          f"tick (max {fleet['max_seconds'] * 1000:.1f} ms), {fleet['queries']} query, {fleet['queued']} tasks queued")
    ok = (lag["lost"] == 0 and lag["p95"] < 5 and flood["counted"] >= flood["sent"] and flood["max"] < 3000
          and fleet["queries"] == 1 and fleet["median_seconds"] < 1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
