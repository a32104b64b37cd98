"""Benchmark: Teams presence polling for 10,000 users against the Entra/Graph emulator.

Reports Graph requests per cycle (target 16 = ceil(10,000 / 650)), cycle time, database writes per cycle
when nothing changed and when 1% changed, and the end-to-end lag from a change in Teams to the PBX row,
with beat's dispatch tick (SYNC_DISPATCH_SECONDS) and the poll interval emulated in real time.

    .venv/bin/python bench/presence.py [--users 10000] [--interval 30] [--samples 3]
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbx_portal.settings")
os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="bench-presence-"))

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--interval", type=int, default=30, help="poll interval (s) for the lag measurement")
    parser.add_argument("--samples", type=int, default=3, help="lag samples")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from emulator.pytest_plugin import EmulatorHandle, start_emulator

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.monotonic()
        server = start_emulator(Path(tmp), users=args.users, groups=1, seed=3, shared_contacts=0)
        emu = EmulatorHandle(server)
        print(f"emulator with {args.users} users up in {time.monotonic() - t0:.1f} s")
        try:
            for name, value in emu.settings.items():
                setattr(settings, name, value)
            return run(emu, args)
        finally:
            emu.close()
            server.stop()


def directory_ids(emu) -> list[str]:
    ids, url = [], "users?$select=id&$top=999"
    while url:
        body = emu.graph("GET", url).json()
        ids += [u["id"] for u in body["value"]]
        url = body.get("@odata.nextLink")
    return ids


def cycle(organization):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from integrations.sync.models import SyncKind, SyncRun
    from integrations.sync.runs import run_execute, run_request

    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        run, _ = run_request(organization=organization, kind=SyncKind.PRESENCE, trigger=SyncRun.Trigger.COMMAND,
                             enqueue=False)
        run = run_execute(run.pk)
        elapsed = time.monotonic() - started
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITE_VERBS)]
    presence_writes = [w for w in writes if "presence_extensionpresence" in w]
    return run, elapsed, len(writes), len(presence_writes), len(queries.captured_queries)


def run(emu, args) -> int:
    from django.utils import timezone

    from extensions.models import Extension
    from integrations.models import EntraConnection
    from organizations.models import Organization
    from pbx_portal.celery import app as celery_app
    from presence.models import ExtensionPresence, PresenceSettings

    ids = directory_ids(emu)
    organization = Organization.objects.create(name=f"Bench {time.time_ns()}", slug=f"bench-{time.time_ns()}")
    EntraConnection.objects.create(organization=organization, tenant_id=emu.tenant_id, client_id=emu.client_id,
                                   client_secret=emu.client_secret, status="connected", feature_presence=True,
                                   feature_presence_writeback=False, feature_user_sync=False)
    PresenceSettings.objects.create(organization=organization, direction="teams_to_pbx",
                                    poll_interval_seconds=args.interval)
    Extension.objects.bulk_create([
        Extension(organization=organization, number=str(100000 + i), display_name=f"User {i}", source="entra",
                  entra_object_id=oid) for i, oid in enumerate(ids)], batch_size=2000)
    print(f"{len(ids)} extensions bound to Entra users")

    rows = []
    for label in ("first cycle (all new)", "steady cycle (no change)"):
        r, elapsed, writes, pwrites, total = cycle(organization)
        rows.append((label, r.graph_requests, elapsed, r.counts.get("changed", 0), writes, pwrites, total))

    changed_ids = random.Random(1).sample(ids, len(ids) // 100)
    for oid in changed_ids:
        current = ExtensionPresence.objects.get(extension__entra_object_id=oid)
        target = ("DoNotDisturb", "Presenting") if current.availability != "DoNotDisturb" else ("Away", "Away")
        emu.control("POST", f"/_emulator/presence/{oid}", json={"availability": target[0], "activity": target[1]})
    r, elapsed, writes, pwrites, total = cycle(organization)
    rows.append(("1% changed", r.graph_requests, elapsed, r.counts.get("changed", 0), writes, pwrites, total))

    print()
    print(f"{'cycle':<26} {'Graph req':>9} {'time s':>7} {'changed':>8} {'DB writes':>9} {'presence':>8} "
          f"{'queries':>7}")
    for label, requests_, elapsed, changed, writes, pwrites, total in rows:
        print(f"{label:<26} {requests_:>9} {elapsed:>7.2f} {changed:>8} {writes:>9} {pwrites:>8} {total:>7}")

    # End-to-end lag: beat dispatches every SYNC_DISPATCH_SECONDS; runs execute inline (an idle worker).
    from django.conf import settings

    from integrations.sync.dispatch import dispatch_due_syncs

    celery_app.conf.task_always_eager = True
    tick = settings.SYNC_DISPATCH_SECONDS
    lags = []
    rng = random.Random(2)
    next_tick = time.monotonic()
    pending = None
    deadline = time.monotonic() + args.samples * (args.interval + 2 * tick + 30) + 60
    while len(lags) < args.samples and time.monotonic() < deadline:
        if pending is None:
            time.sleep(rng.uniform(0, args.interval))  # a change at a random moment of the cycle
            oid = rng.choice(ids)
            current = ExtensionPresence.objects.get(extension__entra_object_id=oid)
            target = "Busy" if current.availability != "Busy" else "Available"
            changed_at = timezone.now()
            emu.control("POST", f"/_emulator/presence/{oid}", json={"availability": target, "activity": target})
            pending = (oid, target, changed_at)
        now = time.monotonic()
        if now >= next_tick:
            dispatch_due_syncs()
            next_tick = now + tick
        row = ExtensionPresence.objects.get(extension__entra_object_id=pending[0])
        if row.availability == pending[1]:
            lags.append((row.changed_at - pending[2]).total_seconds())
            pending = None
        else:
            time.sleep(0.2)
    print()
    if lags:
        print(f"end-to-end lag (poll interval {args.interval} s, dispatch every {tick:g} s), {len(lags)} samples: "
              f"median {statistics.median(lags):.1f} s, max {max(lags):.1f} s "
              f"(bound: interval + dispatch tick + cycle time)")
    else:
        print("end-to-end lag: no sample completed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
