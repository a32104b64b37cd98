"""Directory search and caller-ID lookup: ranking, visibility, number formats, paging, bad input."""

import pytest

from contacts.selectors import caller_id_lookup, directory_search
from tests.helpers.contacts import add_contacts, make_mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(organization, other_organization, extension_factory):
    alice = extension_factory(number="2001", display_name="Alice Andersen", email="alice@contoso.com",
                              department="Sales")
    bob = extension_factory(number="2002", display_name="Bob Baker", email="bob@contoso.com")
    add_contacts(make_mailbox(organization),
                 {"displayName": "Nina Supplier", "companyName": "Fabrikam", "businessPhones": ["+1 312 555 0101"],
                  "emailAddresses": [{"address": "nina@fabrikam.example"}]},
                 {"displayName": "Anders Courier", "companyName": "Tailspin Toys",
                  "businessPhones": ["(312) 555-0102"], "mobilePhone": "773-555-0199"})
    add_contacts(make_mailbox(organization, owner=alice),
                 {"displayName": "Alice's Dentist", "homePhones": ["312 555 0177"]},
                 {"displayName": "Anna Sister", "mobilePhone": "+44 20 7946 0958"})
    add_contacts(make_mailbox(organization, owner=bob),
                 {"displayName": "Bob's Secret Friend", "companyName": "Fabrikam",
                  "businessPhones": ["+1 312 555 0166"]})
    add_contacts(make_mailbox(other_organization), {"displayName": "Other Org Contact",
                                                    "businessPhones": ["+1 312 555 0101"]})
    return alice, bob


def names(page):
    return [entry.name for entry in page.entries]


def test_visibility_own_and_company_contacts_never_a_colleagues(organization, directory):
    alice, bob = directory
    found = names(directory_search(organization=organization, extension=alice, query="fabrikam"))
    assert found == ["Nina Supplier"]
    assert "Bob's Secret Friend" in names(directory_search(organization=organization, extension=bob,
                                                           query="fabrikam"))
    assert "Alice's Dentist" in names(directory_search(organization=organization, extension=alice, query="den"))
    assert names(directory_search(organization=organization, extension=bob, query="dentist")) == []
    assert names(directory_search(organization=organization, extension=alice, query="other org")) == []


def test_ranking_name_prefix_before_other_text(organization, directory):
    alice, _ = directory
    page = directory_search(organization=organization, extension=alice, query="an")
    # Name prefix: Anders, Anna (contacts) - no extension starts with "an"; then "an" inside: Alice Andersen, ...
    assert names(page)[:2] == ["Anders Courier", "Anna Sister"]
    assert [e.match for e in page.entries[:2]] == ["name", "name"]
    assert "Alice Andersen" in names(page) and page.entries[names(page).index("Alice Andersen")].match in (
        "name", "text")


def test_numbers_in_any_format_exact_first_then_prefix(organization, directory):
    alice, _ = directory
    for query in ("+1 312 555 0101", "(312) 555-0101", "3125550101", "+13125550101", "011 1 312 555 0101"):
        page = directory_search(organization=organization, extension=alice, query=query)
        assert page.entries[0].name == "Nina Supplier" and page.entries[0].match == "number", query
    page = directory_search(organization=organization, extension=alice, query="312 555 01")
    assert [e.match for e in page.entries] == ["number_prefix"] * 3
    assert set(names(page)) == {"Nina Supplier", "Anders Courier", "Alice's Dentist"}  # not Bob's friend
    assert names(directory_search(organization=organization, extension=alice, query="2002")) == ["Bob Baker"]
    assert names(directory_search(organization=organization, extension=alice, query="20")) == [
        "Alice Andersen", "Bob Baker"]


def test_paging(organization, extension_factory):
    mailbox = make_mailbox(organization)
    add_contacts(mailbox, *({"displayName": f"Person {n:02d}"} for n in range(30)))
    first = directory_search(organization=organization, extension=None, query="person", page_size=25)
    second = directory_search(organization=organization, extension=None, query="person", page=2, page_size=25)
    assert first.has_next and not second.has_next
    assert names(first) + names(second) == [f"Person {n:02d}" for n in range(30)]


def test_bad_or_empty_input_is_harmless(organization, directory):
    alice, _ = directory
    assert directory_search(organization=organization, extension=alice, query="%_\\'\"").entries == []
    everyone = directory_search(organization=organization, extension=alice, query="")
    assert len(everyone.entries) == 6  # 2 extensions, 2 company contacts, Alice's 2
    assert directory_search(organization=organization, extension=alice, query="x" * 5000).entries == []


def test_caller_id_lookup(organization, directory):
    alice, bob = directory
    hit = caller_id_lookup(organization=organization, number="(312) 555-0101")
    assert (hit.found, hit.name, hit.source, hit.e164) == (True, "Nina Supplier", "company", "+13125550101")
    assert caller_id_lookup(organization=organization, number="001 312 555 0102").name == "Anders Courier"
    assert caller_id_lookup(organization=organization, number="011 1 312 555 0102").name == "Anders Courier"
    assert caller_id_lookup(organization=organization, number="2001").name == "Alice Andersen"
    # A personal contact names the caller only for its owner.
    assert caller_id_lookup(organization=organization, number="+13125550166").found is False
    assert caller_id_lookup(organization=organization, number="+13125550166", called=bob).name == \
        "Bob's Secret Friend"
    assert caller_id_lookup(organization=organization, number="+44 20 7946 0958", called=alice).name == \
        "Anna Sister"
    assert caller_id_lookup(organization=organization, number="").found is False
    assert caller_id_lookup(organization=organization, number="not a number").found is False
