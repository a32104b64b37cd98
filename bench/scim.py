"""Benchmark: Microsoft Entra provisioning pushing 10,000 users to /scim/v2/, one request at a time as Entra sends
them, then a PATCH storm (attribute changes, disable and enable, as an HR import sets off).

Requests go through the whole Django stack in-process (middleware, Bearer token, rate limit, views, the user-sync
planner and apply step, the sync log). Reports requests per second, median and p95 latency, and the database
queries per request (COPY statements included) per slice of the run: the count must not grow with the users.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python bench/scim.py      (uses a throwaway database named bench_scim on that server)
    BENCH_USERS=2000 BENCH_PATCHES=2000 ... for a quicker run
"""

import functools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _harness import QueryCounter, django_on_throwaway_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbx_portal.settings")
os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="bench-scim-"))
os.environ["SCIM_RATE_LIMIT"] = "100000000"
os.environ["LOG_LEVEL"] = "WARNING"
USERS = int(os.environ.get("BENCH_USERS", "10000"))
PATCHES = int(os.environ.get("BENCH_PATCHES", "10000"))
SLICES = 5
BENCH_DB = "bench_scim"
print = functools.partial(print, flush=True)
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def user_body(i: int) -> dict:
    """Microsoft's Create User request, with this user's values."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": f"user{i}", "userName": f"user{i}@contoso.example", "active": True,
        "displayName": f"Person {i:05d}",
        "emails": [{"primary": True, "type": "work", "value": f"user{i}@contoso.example"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": f"Person {i:05d}", "familyName": f"{i:05d}", "givenName": "Person"},
        "title": "Staff", "phoneNumbers": [{"type": "mobile", "value": f"+4179{i:07d}"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"},
        "roles": [],
    }


def patch_body(i: int, rng: random.Random) -> dict:
    kind = i % 4
    if kind == 0:
        ops = [{"op": "Replace", "path": "title", "value": f"Title {rng.randint(1, 99)}"},
               {"op": "Replace", "path": "name.familyName", "value": f"Renamed {i}"}]
    elif kind == 1:
        ops = [{"op": "replace", "value": {"displayName": f"Display {i}", "name.givenName": "Given",
                                           "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":
                                               rng.choice(["Sales", "Support", "Finance"])}}]
    elif kind == 2:
        ops = [{"op": "Replace", "path": "active", "value": "False"}]
    else:
        ops = [{"op": "Replace", "path": "active", "value": True},
               {"op": "Replace", "path": 'emails[type eq "work"].value', "value": f"moved{i}@contoso.example"}]
    return {"schemas": [PATCH_OP], "Operations": ops}


def measure(client, headers, requests_, counter, bulk) -> tuple[list[float], list[int], list[int]]:
    times, queries, statuses = [], [], []
    for method, path, body in requests_:
        data = json.dumps(body) if body is not None else ""
        before, copies = counter.count, bulk.statements
        start = time.perf_counter()
        response = client.generic(method, path, data, content_type="application/scim+json", **headers)
        times.append(time.perf_counter() - start)
        queries.append(counter.count - before + bulk.statements - copies)
        statuses.append(response.status_code)
    return times, queries, statuses


def report(name: str, times: list[float], queries: list[int], statuses: list[int]) -> None:
    total = sum(times)
    print(f"\n{name}: {len(times)} requests in {total:.1f} s = {len(times) / total:.0f} requests/s; "
          f"statuses {sorted(set(statuses))}")
    print(f"{'slice':>13} {'req/s':>7} {'median ms':>10} {'p95 ms':>8} {'queries min-max':>16}")
    size = max(1, len(times) // SLICES)
    for start in range(0, len(times), size):
        part, q = times[start:start + size], queries[start:start + size]
        p95 = statistics.quantiles(part, n=20)[-1] if len(part) >= 20 else max(part)
        median = statistics.median(part) * 1000
        print(f"{start + 1:>6}-{start + len(part):<6} {len(part) / sum(part):>7.0f} {median:>10.1f}"
              f" {p95 * 1000:>8.1f} {f'{min(q)}-{max(q)}':>16}")
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"{'all':>13} {len(times) / total:>7.0f} {statistics.median(times) * 1000:>10.1f} {p95 * 1000:>8.1f} "
          f"{f'{min(queries)}-{max(queries)}':>16}")


def main() -> None:
    django_on_throwaway_database(BENCH_DB)
    from django.db import connection
    from django.test import Client

    from extensions.models import Extension
    from integrations.scim.tokens import scim_token_generate
    from integrations.sync import bulk
    from integrations.sync.models import SyncEvent
    from integrations.sync.users.engine import user_sync_settings
    from tests.helpers.factories import make_organization

    organization = make_organization("Bench Org")
    settings_row = user_sync_settings(organization)
    settings_row.range_start, settings_row.range_end = 10000, 99999
    settings_row.save()
    _, token = scim_token_generate(organization=organization, actor=None)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    counter = QueryCounter()
    connection.execute_wrappers.append(counter)
    print(f"database: {connection.vendor}; {USERS} users, {PATCHES} PATCHes, in-process through the Django stack")

    creates = [("POST", "/scim/v2/Users", user_body(i)) for i in range(USERS)]
    times, queries, statuses = measure(client, headers, creates, counter, bulk)
    report("POST /Users (create, one at a time)", times, queries, statuses)
    ids = [str(pk) for pk in Extension.objects.filter(organization=organization).order_by("pk")
           .values_list("entra_object_id", flat=True)]
    assert len(ids) == USERS, len(ids)

    rng = random.Random(7)
    storm = [("PATCH", f"/scim/v2/Users/{ids[rng.randrange(len(ids))]}", patch_body(i, rng)) for i in range(PATCHES)]
    times, queries, statuses = measure(client, headers, storm, counter, bulk)
    report("PATCH /Users/{id} storm (random users: attributes, disable, enable)", times, queries, statuses)

    lookups = [("GET", f"/scim/v2/Users?filter=userName%20eq%20%22user{rng.randrange(USERS)}%40contoso.example%22",
                None) for _ in range(1000)]
    times, queries, statuses = measure(client, headers, lookups, counter, bulk)
    report("GET /Users?filter=userName eq (Entra's lookup before a create)", times, queries, statuses)
    print(f"\nsync log: {SyncEvent.objects.filter(organization=organization).count()} events; extensions "
          f"{Extension.objects.filter(organization=organization).count()}")


if __name__ == "__main__":
    main()
