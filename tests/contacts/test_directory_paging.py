"""Paging through the directory lists every entry exactly once, whatever the case of the names (the database's
order of each source and the page's merge of them must agree, or a page boundary skips or repeats someone)."""

import pytest

from contacts.selectors import directory_search
from tests.helpers.contacts import add_contacts, make_mailbox

pytestmark = pytest.mark.django_db


def every_page(organization, extension, query: str) -> list[str]:
    found, page = [], 1
    while True:
        result = directory_search(organization=organization, extension=extension, query=query, page=page,
                                  page_size=10)
        found += [entry.name for entry in result.entries]
        if not result.has_next:
            return found
        page += 1


@pytest.mark.parametrize("query", ["", "b", "bo", "100"])
def test_every_entry_once_across_pages(organization, extension_factory, query):
    me = extension_factory(number="1999", display_name="ba lowercase")  # sorts first when case is ignored
    for n in range(25):
        extension_factory(number=f"100{n:02d}", display_name=f"Bob {n:02d}")
    extension_factory(number="10099", display_name="Éric Bob")
    add_contacts(make_mailbox(organization), *[{"displayName": f"bo contact {n:02d}",
                                                "businessPhones": [f"+1 312 555 01{n:02d}"]} for n in range(12)])
    expected = directory_search(organization=organization, extension=me, query=query, page=1, page_size=500)
    names = every_page(organization, me, query)
    assert sorted(names) == sorted(entry.name for entry in expected.entries)
    assert len(names) == len(set(names))
    if query in ("", "b"):
        assert "ba lowercase" in names and "Bob 24" in names
