"""Benchmark: the Extensions list page and a search as the organization grows to 50,000 extensions.

Reports, at each size, the query count and median wall time of the list page (first page, sorted by
number; a middle page sorted by name) and of a search. The query count must not grow with the rows.

    .venv/bin/python bench/extensions_list.py              # temporary SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/extensions_list.py
      (uses a throwaway database named bench_extensions on that server)
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _harness import django_on_throwaway_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbx_portal.settings")
os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="bench-ext-"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,50000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
BENCH_DB = "bench_extensions"


def main() -> None:
    django_on_throwaway_database(BENCH_DB)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from extensions.models import Extension
    from tests.helpers.factories import make_admin, make_organization

    organization = make_organization("Bench Org")
    neighbour = make_organization("Neighbour Org")
    Extension.objects.bulk_create([Extension(organization=neighbour, number=str(10 + i), display_name=f"N {i}")
                                   for i in range(5000)])
    client = Client()
    client.force_login(make_admin(organization, "bench-admin"))

    departments = ["Sales", "Support", "Engineering", "Finance", "Operations", "Legal", "Marketing"]
    print(f"database: {connection.vendor}; {REPEAT} requests per figure; page size 50")
    print(f"{'rows':>7} {'page':<34} {'queries':>7} {'median ms':>10} {'p90 ms':>8}")
    seeded = 0
    for size in SIZES:
        batch = [
            Extension(organization=organization, number=str(100000 + i), display_name=f"Person {i:06d}",
                      first_name="Person", last_name=f"{i:06d}", email=f"person{i}@contoso.example",
                      department=departments[i % len(departments)], job_title="Staff")
            for i in range(seeded, size)
        ]
        Extension.objects.bulk_create(batch, batch_size=5000)
        seeded = size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE extensions_extension")
        for label, url in (
            ("list, first page, by number", "/extensions/"),
            ("list, page 300, by name desc", "/extensions/?sort=-name&page=300"),
            ("search 'Person 000123' (1 match)", "/extensions/?q=Person%20000123"),
            ("search department 'Finance'", "/extensions/?q=Finance&sort=name"),
        ):
            timings, queries = [], None
            for _ in range(REPEAT):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
                queries = len(captured.captured_queries)
            timings.sort()
            p90 = timings[int(len(timings) * 0.9) - 1]
            print(f"{size:>7} {label:<34} {queries:>7} {statistics.median(timings):>10.1f} {p90:>8.1f}")


if __name__ == "__main__":
    main()
