"""Caller-ID lookup for a called extension reads that user's own contacts only: never a colleague's, whatever the
names' order, in the selector and through GET /api/pbx/lookup?number=...&extension=..."""

import pytest

from contacts.selectors import caller_id_lookup
from organizations.api_keys import key_generate, key_hash
from organizations.models import ApiScope, OrganizationApiKey
from tests.helpers.contacts import add_contacts, make_mailbox

pytestmark = pytest.mark.django_db
SHARED_NUMBER = "+1 312 555 0142"  # in both users' address books
BOBS_ONLY = "+1 312 555 0143"


@pytest.fixture
def people(organization, extension_factory):
    alice = extension_factory(number="2001", display_name="Alice Andersen")
    bob = extension_factory(number="2002", display_name="Bob Baker")
    carol = extension_factory(number="2003", display_name="Carol Clark")  # no contacts of her own
    # Bob's names sort first, so a lookup that ignored the owner would find his.
    add_contacts(make_mailbox(organization, owner=bob),
                 {"displayName": "Aaron (Bob's private)", "mobilePhone": SHARED_NUMBER},
                 {"displayName": "Abigail (Bob's private)", "homePhones": [BOBS_ONLY]})
    add_contacts(make_mailbox(organization, owner=alice),
                 {"displayName": "Zoe (Alice's plumber)", "businessPhones": [SHARED_NUMBER]})
    return alice, bob, carol


def test_the_called_users_own_contact_names_the_caller(organization, people):
    alice, bob, _carol = people
    assert caller_id_lookup(organization=organization, number=SHARED_NUMBER, called=alice).name == \
        "Zoe (Alice's plumber)"
    assert caller_id_lookup(organization=organization, number=SHARED_NUMBER, called=bob).name == \
        "Aaron (Bob's private)"
    assert caller_id_lookup(organization=organization, number=BOBS_ONLY, called=bob).source == "personal"


def test_a_colleagues_contact_never_names_the_caller(organization, people):
    alice, _bob, carol = people
    for called in (alice, carol, None):
        match = caller_id_lookup(organization=organization, number=BOBS_ONLY, called=called)
        assert match.found is False and match.name == "", called
    assert caller_id_lookup(organization=organization, number=SHARED_NUMBER, called=carol).found is False


def test_the_pbx_api_keeps_personal_contacts_private(client, organization, people):
    key, prefix = key_generate()
    OrganizationApiKey.objects.create(organization=organization, name="PBX", prefix=prefix, key_hash=key_hash(key),
                                      scopes=[ApiScope.CALLER_ID, ApiScope.CALLER_ID_PERSONAL])

    def lookup(**params):
        return client.get("/api/pbx/lookup", params, HTTP_AUTHORIZATION=f"Bearer {key}")

    assert lookup(number=BOBS_ONLY, extension="2002").json()["name"] == "Abigail (Bob's private)"
    for extension in ("2001", "2003"):
        body = lookup(number=BOBS_ONLY, extension=extension).json()
        assert body["found"] is False and body["name"] == "", extension
    assert lookup(number=SHARED_NUMBER, extension="2001").json()["name"] == "Zoe (Alice's plumber)"
