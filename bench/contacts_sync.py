"""Benchmark: Outlook contact sync of 1,000 mailboxes x 200 contacts, then directory search and caller-ID lookup
on the resulting 200,000 contacts.

Reports the full and the quiet cycle (wall time, Graph HTTP requests, delta sub-requests, peak RSS of this
process), and the median and p95 latency of directory searches and caller-ID lookups, with the query plans of
the search tiers. The emulator runs as a separate process (its memory is not counted).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/contacts_sync.py
      (uses a throwaway database named bench_contacts on that server; SQLite without DATABASE_URL)
    BENCH_MAILBOXES=1000 BENCH_CONTACTS=200 BENCH_SHARED=100  (defaults)
"""

import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from _harness import use_throwaway_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbx_portal.settings")
os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="bench-contacts-"))
MAILBOXES = int(os.environ.get("BENCH_MAILBOXES", "1000"))
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "200"))
SHARED = int(os.environ.get("BENCH_SHARED", "100"))  # of the mailboxes, how many are shared (company contacts)
BENCH_DB = os.environ.get("BENCH_DB", "bench_contacts")
FIRST = ["Anna", "Ben", "Carla", "David", "Elena", "Felix", "Grace", "Hugo", "Irene", "Jonas", "Karin", "Liam",
         "Maria", "Nils", "Olga", "Peter", "Quinn", "Rosa", "Sven", "Tara", "Uwe", "Vera", "Walter", "Xenia",
         "Yusuf", "Zoe", "Amir", "Bianca", "Chen", "Dmitri"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
        "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores"]
COMPANIES = ["Fabrikam", "Tailspin Toys", "Northwind Traders", "Litware", "Adventure Works", "Contoso Pharma",
             "Wide World Importers", "Proseware", "Woodgrove Bank", "Coho Winery", "Alpine Ski House", "Lamna"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_emulator(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", str(port), "--data-dir", str(data_dir),
                                "--users", str(MAILBOXES + 1), "--groups", "1", "--shared-contacts", "0"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"https://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(f"{base}/_emulator/state", verify=str(data_dir / "ca.pem"), timeout=2)
            return process, base
        except (requests.RequestException, OSError):
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the emulator did not start")


def fake_contact(rng: random.Random, n: int) -> dict:
    first, last, company = rng.choice(FIRST), rng.choice(LAST), rng.choice(COMPANIES)
    area = rng.choice(["312", "773", "415", "646", "206", "617"])
    contact = {"givenName": first, "surname": last, "displayName": f"{first} {last}", "companyName": company,
               "jobTitle": rng.choice(["Account Manager", "Buyer", "Engineer", "Director", ""]),
               "emailAddresses": [{"address": f"{first}.{last}{n}@{company.replace(' ', '').lower()}.example"}],
               "businessPhones": [f"+1 {area} {rng.randint(200, 999)} {rng.randint(0, 9999):04d}"]}
    if n % 3 == 0:
        contact["mobilePhone"] = f"({area}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
    if n % 17 == 0:
        contact["homePhones"] = [f"+44 20 7{rng.randint(100, 999)} {rng.randint(0, 9999):04d}"]
    return contact


def seed_mailboxes(base: str, ca: str, user_ids: list[str]) -> None:
    rng = random.Random(7)
    session = requests.Session()
    for index, user_id in enumerate(user_ids):
        items = [fake_contact(rng, index * CONTACTS + n) for n in range(CONTACTS)]
        session.post(f"{base}/_emulator/mailboxes/{user_id}/contacts", json=items, verify=ca, timeout=60)\
            .raise_for_status()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    use_throwaway_database(BENCH_DB)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-emulator-"))
    emulator, base = start_emulator(data_dir)
    try:
        run(data_dir, base)
    finally:
        os.killpg(emulator.pid, signal.SIGTERM)
        emulator.wait(timeout=10)


def run(data_dir: Path, base: str) -> None:
    import django

    os.environ.update(MICROSOFT_AUTHORITY_HOST=base, MICROSOFT_GRAPH_URL=base,
                      MICROSOFT_CA_BUNDLE=str(data_dir / "ca.pem"))
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from contacts.models import Contact, ContactNumber, ContactSettings, SharedMailbox
    from contacts.selectors import caller_id_lookup, directory_search
    from extensions.models import Extension
    from integrations.models import EntraConnection
    from integrations.sync.models import SyncKind, SyncRun
    from integrations.sync.runs import run_execute, run_request
    from tests.helpers.factories import make_organization

    logging_quiet()
    call_command("migrate", verbosity=0)
    tenant = json.loads((data_dir / "tenant.json").read_text())
    ca = str(data_dir / "ca.pem")
    token = requests.post(f"{base}/{tenant['tenant_id']}/oauth2/v2.0/token", verify=ca, data={
        "grant_type": "client_credentials", "client_id": tenant["app"]["client_id"],
        "client_secret": tenant["app"]["client_secret"], "scope": "https://graph.microsoft.com/.default"}).json()
    users, url = [], f"{base}/v1.0/users?$select=id,displayName&$top=999"
    while url:
        page = requests.get(url, headers={"Authorization": f"Bearer {token['access_token']}"}, verify=ca).json()
        users += page["value"]
        url = page.get("@odata.nextLink")
    users = users[:MAILBOXES]
    started = time.perf_counter()
    seed_mailboxes(base, ca, [u["id"] for u in users])
    print(f"seeded {MAILBOXES} mailboxes x {CONTACTS} contacts in the emulator in "
          f"{time.perf_counter() - started:.1f}s")

    organization = make_organization("Bench Org")
    EntraConnection.objects.create(organization=organization, tenant_id=tenant["tenant_id"],
                                   client_id=tenant["app"]["client_id"], client_secret=tenant["app"]["client_secret"],
                                   status=EntraConnection.Status.CONNECTED, feature_contacts=True)
    ContactSettings.objects.create(organization=organization, personal_enabled=True, shared_enabled=True)
    personal, shared = users[:MAILBOXES - SHARED], users[MAILBOXES - SHARED:]
    Extension.objects.bulk_create([
        Extension(organization=organization, number=str(1000 + i), display_name=u["displayName"],
                  email=f"user{i}@contoso.example", entra_object_id=u["id"], source=Extension.Source.ENTRA)
        for i, u in enumerate(personal)])
    SharedMailbox.objects.bulk_create([SharedMailbox(organization=organization, mailbox_id=u["id"],
                                                     display_name=f"Shared {i}") for i, u in enumerate(shared)])

    def cycle(full: bool) -> dict:
        requests.delete(f"{base}/_emulator/requests", verify=ca)
        run_obj, _ = run_request(organization=organization, kind=SyncKind.CONTACTS, trigger=SyncRun.Trigger.COMMAND,
                                 full=full, enqueue=False)
        before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        finished = run_execute(run_obj.pk)
        seconds = time.perf_counter() - start
        counts = requests.get(f"{base}/_emulator/requests", verify=ca).json()
        subs = sum(n for route, n in counts["by_route"].items() if "delta" in route)
        return {"seconds": seconds, "status": finished.status, "http": finished.graph_requests,
                "delta_sub_requests": subs, "emulator_total": counts["total"], "counts": finished.counts,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rss_growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_rss) / 1024}

    full = cycle(full=False)
    print(f"\nfull cycle : {full['seconds']:.1f}s, {full['status']}, Graph HTTP requests {full['http']} "
          f"(sub-requests counted by the emulator: {full['emulator_total']}), peak RSS {full['peak_rss_mb']:.0f} MB "
          f"(+{full['rss_growth_mb']:.0f} MB during the cycle)")
    print(f"             counts {full['counts']}")
    quiet = cycle(full=False)
    folders = quiet["counts"].get("folders", 0)
    print(f"quiet cycle: {quiet['seconds']:.2f}s, {quiet['status']}, Graph HTTP requests {quiet['http']} for "
          f"{folders} folders ({quiet['delta_sub_requests']} delta sub-requests = "
          f"{quiet['delta_sub_requests'] / max(folders, 1):.2f} per folder; target <= 1), peak RSS "
          f"{quiet['peak_rss_mb']:.0f} MB")
    print(f"             counts {quiet['counts']}")

    total = Contact.objects.count()
    print(f"\ndirectory: {total} contacts, {ContactNumber.objects.count()} numbers, "
          f"{Extension.objects.count()} extensions, database {connection.vendor}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(11)
    extensions = list(Extension.objects.filter(organization=organization))
    sample_contacts = list(Contact.objects.filter(organization=organization).order_by("?")
                           .values("display_name", "company_name", "owner_id")[:200])
    numbers = list(ContactNumber.objects.filter(contact__owner__isnull=True).order_by("?")
                   .values_list("e164", "original")[:200])
    queries = []
    for row in sample_contacts[:60]:
        queries.append(("name prefix", row["display_name"][:rng.randint(2, 6)]))
        queries.append(("surname", row["display_name"].split()[-1][:5].lower()))
    for row in sample_contacts[60:90]:
        queries.append(("company", row["company_name"][:7]))
    for e164, original in numbers[:40]:
        queries.append(("number exact", original))
        queries.append(("number prefix", e164[2:8]))
    queries += [("one letter", c) for c in "abcdemst"]
    queries += [("extension", str(1000 + rng.randint(0, len(extensions) - 1))) for _ in range(10)]
    by_kind: dict[str, list[float]] = {}
    latencies = []
    for kind, text in queries:
        who = rng.choice(extensions)
        ms = timed(lambda t=text, w=who: directory_search(organization=organization, extension=w, query=t))[0]
        latencies.append(ms)
        by_kind.setdefault(kind, []).append(ms)
    print(f"search   : {len(latencies)} queries, median {statistics.median(latencies):.1f} ms, "
          f"p95 {percentile(latencies, 95):.1f} ms (target < 50 ms)")
    for kind, values in by_kind.items():
        print(f"           {kind:<14} median {statistics.median(values):6.1f} ms  p95 {percentile(values, 95):6.1f} ms"
              f"  max {max(values):6.1f} ms")
    lookups = []
    for e164, original in numbers:
        form = rng.choice([original, e164, e164[2:], "011" + e164[1:],
                           f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}" if e164.startswith("+1") else e164])
        lookups.append(form)
    lookups += [f"+1 555 {rng.randint(200, 999)} {rng.randint(0, 9999):04d}" for _ in range(50)]  # misses
    lookups += [str(1000 + rng.randint(0, len(extensions) - 1)) for _ in range(50)]  # internal numbers
    hits, lookup_ms = 0, []
    for number in lookups:
        start = time.perf_counter()
        match = caller_id_lookup(organization=organization, number=number, called=rng.choice(extensions))
        lookup_ms.append((time.perf_counter() - start) * 1000)
        hits += match.found
    print(f"lookup   : {len(lookup_ms)} numbers ({hits} found), median {statistics.median(lookup_ms):.2f} ms, "
          f"p95 {percentile(lookup_ms, 95):.2f} ms (target < 10 ms)")
    if os.environ.get("BENCH_EXPLAIN", "1") == "1":
        if connection.vendor == "postgresql":
            explain(connection, organization, extensions[0])
        elif connection.vendor == "sqlite":
            explain_sqlite(connection, organization, extensions[0])


def explain_sqlite(connection, organization, extension) -> None:
    """SQLite's own path (contacts/search.py, migration 0003): which index or FTS table each tier reads."""
    from contacts.models import Contact, ContactNumber
    from contacts.search import digits_prefix, name_prefix, text_match

    print("\nquery plans (SQLite):")
    company = Contact.objects.filter(organization=organization, owner__isnull=True)
    plans = {
        "name prefix": company.filter(name_prefix("mar")).order_by("name_key", "id")[:26],
        "text (fts5)": company.filter(text_match("rtinez")).order_by("name_key", "id")[:26],
        "own contacts": Contact.objects.filter(organization=organization, owner=extension,
                                               search_text__contains="rtinez").order_by("name_key")[:26],
        "number prefix": ContactNumber.objects.filter(organization=organization, owner__isnull=True).filter(
            digits_prefix("digits", "1312")).order_by("digits", "id")[:26],
    }
    for label, queryset in plans.items():
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            steps = [row[-1] for row in cursor.fetchall()]
        print(f"  {label:<15} {'; '.join(steps)}")


def explain(connection, organization, extension) -> None:
    from contacts.models import Contact, ContactNumber

    print("\nquery plans (index use):")
    company = Contact.objects.filter(organization=organization, owner__isnull=True)
    plans = {
        "name prefix": company.filter(name_key__startswith="mar").order_by("name_key", "id")[:26],
        "text (trigram)": company.filter(search_text__contains="rtinez").order_by("name_key", "id")[:26],
        "own contacts": Contact.objects.filter(organization=organization, owner=extension,
                                               search_text__contains="rtinez").order_by("name_key")[:26],
        "number prefix": ContactNumber.objects.filter(organization=organization, owner__isnull=True,
                                                      digits__startswith="1312").order_by("digits", "id")[:26],
        "caller id": ContactNumber.objects.filter(organization=organization, owner__isnull=True,
                                                  e164__in=["+13125550101"]).order_by("contact__name_key")[:1],
    }
    for label, queryset in plans.items():
        lines = queryset.explain(analyze=True).splitlines()
        used = sorted({part.split(" on ")[0].strip("-> ").strip() + " " + part.split(" on ")[1].split()[0]
                       for part in lines if " on " in part and "Scan" in part})
        timing = [line.strip() for line in lines if line.startswith("Execution Time")]
        print(f"  {label:<15} {'; '.join(used)}  [{timing[0] if timing else ''}]")


def logging_quiet() -> None:
    import logging

    logging.getLogger("integrations").setLevel(logging.WARNING)
    logging.getLogger("contacts").setLevel(logging.WARNING)


if __name__ == "__main__":
    main()
