"""Benchmark: one dispatch cycle over 500 organizations with quiet directories, two Celery workers on Redis.

    .venv/bin/python bench/sync_fleet.py [--organizations 500] [--workers 2] [--users 50]
        [--database-url postgres://.../bench_fleet] [--redis-url redis://127.0.0.1:6379/11]

Beat only dispatches: `dispatch_due_syncs()` queues one task per due organization, and the worker processes (each
its own `celery worker`, as on separate machines) run them. After a first cycle that provisions every organization,
a second cycle over the now-quiet directories is timed: from dispatch until the last run finished, plus Graph
requests per organization (emulator counters). All organizations use the one emulated tenant, so they share one
Graph client and token per worker process; with real tenants each organization's first run in a process also
fetches its own token (cached for an hour).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from _harness import ROOT, connect_organization, control, emulator, fresh_database, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_fleet"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"


def start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    workers = []
    for index in range(count):
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "pbx_portal", "worker", "--concurrency", "1", "--pool", "prefork",
             "--loglevel", "WARNING", "--hostname", f"bench{index}@%h", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return workers


def wait_for_cycle(since, expected: int, timeout: float = 600) -> float:
    from integrations.sync.models import SyncRun

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        done = SyncRun.objects.filter(created_at__gte=since).exclude(status__in=SyncRun.ACTIVE_STATUSES).count()
        if done >= expected:
            return time.perf_counter() - started
        time.sleep(0.1)
    raise SystemExit(f"cycle did not finish within {timeout} s")


def cycle(tenant: dict, organizations: int) -> dict:
    from django.utils import timezone

    from integrations.sync.dispatch import dispatch_due_syncs
    from integrations.sync.models import SyncRun, SyncSchedule

    SyncSchedule.objects.update(next_run_at=None)
    control(tenant, "DELETE", "requests")
    since = timezone.now()
    started = time.perf_counter()
    dispatched = dispatch_due_syncs()
    dispatch_seconds = time.perf_counter() - started
    wait_for_cycle(since, organizations)
    elapsed = time.perf_counter() - started
    runs = SyncRun.objects.filter(created_at__gte=since)
    counts = control(tenant, "GET", "requests")
    graph = sum(n for route, n in counts["by_route"].items() if " /v1.0/" in route)
    statuses = {}
    for status in runs.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    return {"seconds": elapsed, "dispatch_seconds": dispatch_seconds, "queued": dispatched["queued"],
            "graph_requests": graph, "statuses": statuses,
            "run_requests": sum(runs.values_list("graph_requests", flat=True))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    fresh_database(args.database_url)
    with emulator(args.users) as tenant:
        setup_django(args.database_url, tenant, redis_url=args.redis_url)
        for index in range(args.organizations):
            connect_organization(f"Fleet Org {index:04d}", tenant)
        env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
               "DJANGO_SETTINGS_MODULE": "pbx_portal.settings"}
        workers = start_workers(args.workers, env)
        try:
            first = cycle(tenant, args.organizations)
            quiet = cycle(tenant, args.organizations)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
    n = args.organizations
    print(f"{n} organizations, {args.users} users each, {args.workers} worker processes on Redis")
    print(f"first cycle (provisioning): {first['seconds']:.1f} s, statuses {first['statuses']}, "
          f"{first['graph_requests'] / n:.2f} Graph requests per organization")
    print(f"quiet cycle: {quiet['seconds']:.1f} s for {quiet['queued']} runs (dispatch itself "
          f"{quiet['dispatch_seconds']:.2f} s), statuses {quiet['statuses']}, "
          f"{quiet['graph_requests'] / n:.2f} Graph requests per organization (runs report {quiet['run_requests']})")
    return 0 if quiet["statuses"].get("succeeded") == n and quiet["seconds"] < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
