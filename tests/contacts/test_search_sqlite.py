"""The directory search's own SQLite path (the embedded default): every tier reads an index or the FTS5 trigram
table, never every contact of the organization, and the trigram table follows inserts, updates and deletes.

A PostgreSQL run checks it too: it runs this module and the directory tests again on SQLite in a subprocess.
"""

import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact
from contacts.selectors import directory_search
from tests.helpers.contacts import add_contacts, make_mailbox
from tests.helpers.paths import ROOT

pytestmark = pytest.mark.django_db
# A full scan, or every number of the organization read through an index on the organization alone. (Contacts read
# in name order with the trigram table's matches as a filter stop at the page: that plan is allowed.)
EVERY_ROW = re.compile(r"SCAN contacts_contact(number)? |contacts_contactnumber USING INDEX \w+ \(organization_id=\?\)")


def test_the_directory_tests_pass_on_sqlite_too(tmp_path):
    if connection.vendor == "sqlite":
        pytest.skip("this run is on SQLite: the tests below check its search path directly")
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REQUIRE_SERVICES")}
    env["PORTAL_VAR_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
                           "tests/contacts/test_directory.py", "tests/contacts/test_uc_directory.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed, 1 skipped" in summary, summary  # only the skip above: the SQLite checks all ran


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite search path (checked through test_the_directory_tests_pass_on_sqlite_too)")


@pytest.fixture
def many(sqlite_only, organization, extension_factory):
    alice = extension_factory(number="2001", display_name="Alice Andersen")
    company = make_mailbox(organization)
    add_contacts(company, *[{"displayName": f"Person {n:03d} Martinez", "companyName": "Fabrikam",
                             "businessPhones": [f"+1 312 555 {n:04d}"]} for n in range(150)])
    add_contacts(make_mailbox(organization, owner=alice), *[
        {"displayName": f"Friend {n:03d}", "homePhones": [f"+1 773 555 {n:04d}"]} for n in range(60)])
    return alice, company


def plans_of(run) -> list[str]:
    """Each contacts query `run` sends, as SQLite's EXPLAIN QUERY PLAN steps joined by '; '."""
    with CaptureQueriesContext(connection) as captured:
        run()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or "contacts_contact" not in sql:
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plans.append("; ".join(row[-1] for row in cursor.fetchall()))
    return plans


@pytest.mark.parametrize(("query", "expected"), [
    ("xyzzy", ["name_key>? AND name_key<?", "contacts_contact_fts VIRTUAL TABLE"]),  # name prefix, then substring
    ("312 555 9", ["digits>? AND digits<?", "national>? AND national<?"]),  # number prefixes
    ("+1 312 555 0142", ["digits=?"]),  # an exact number
])
def test_every_tier_reads_an_index_or_the_trigram_table(many, organization, query, expected):
    alice, _ = many
    plans = plans_of(lambda: directory_search(organization=organization, extension=alice, query=query))
    for step in expected:
        assert any(step in plan for plan in plans), (step, plans)
    for plan in plans:  # never every contact or number of the organization
        assert not EVERY_ROW.search(plan + " "), plan


def test_results_are_the_same_as_a_plain_scan_would_give(many, organization):
    alice, _ = many
    assert [e.name for e in directory_search(organization=organization, extension=alice, query="person 01").entries] \
        == [f"Person {n:03d} Martinez" for n in range(10, 20)]
    substring = directory_search(organization=organization, extension=alice, query="rtine", page_size=200)
    assert len(substring.entries) == 150 and {e.match for e in substring.entries} == {"text"}
    assert [e.name for e in directory_search(organization=organization, extension=alice,
                                             query="friend 05").entries] == [f"Friend {n:03d}" for n in range(50, 60)]
    prefix = directory_search(organization=organization, extension=alice, query="31255501", page_size=200)
    assert len(prefix.entries) == 50 and {e.match for e in prefix.entries} == {"number_prefix"}


def test_the_trigram_table_follows_inserts_updates_and_deletes(sqlite_only, organization):
    mailbox = make_mailbox(organization)
    add_contacts(mailbox, {"displayName": "Zebediah Quuxley", "companyName": "Northwind"})

    def found(text):
        return [e.name for e in directory_search(organization=organization, extension=None, query=text).entries]

    assert found("uuxle") == ["Zebediah Quuxley"] and found("orthwin") == ["Zebediah Quuxley"]
    contact = Contact.objects.get(display_name="Zebediah Quuxley")
    Contact.objects.filter(pk=contact.pk).update(search_text="zebediah quuxley litware")
    assert found("orthwin") == [] and found("itwar") == ["Zebediah Quuxley"]
    contact.delete()
    assert found("itwar") == [] and found("uuxle") == []
