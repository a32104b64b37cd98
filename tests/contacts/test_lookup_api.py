"""GET /api/pbx/lookup: organization API key, any number format, privacy of personal contacts, bad input."""

import pytest

from organizations.models import OrganizationApiKey
from tests.helpers.contacts import add_contacts, api_key, get, make_mailbox

pytestmark = pytest.mark.django_db
URL = "/api/pbx/lookup"


@pytest.fixture
def data(organization, other_organization, extension_factory):
    alice = extension_factory(number="2001", display_name="Alice Andersen")
    add_contacts(make_mailbox(organization), {"displayName": "Nina Supplier", "companyName": "Fabrikam",
                                              "businessPhones": ["+1 312 555 0101"]})
    add_contacts(make_mailbox(organization, owner=alice), {"displayName": "Alice's Dentist",
                                                           "homePhones": ["312 555 0177"]})
    add_contacts(make_mailbox(other_organization), {"displayName": "Other Org Person",
                                                    "businessPhones": ["+1 312 555 0199"]})
    return alice


def test_lookup_in_any_format(client, organization, data):
    key = api_key(organization)
    for number in ("+13125550101", "(312) 555-0101", "312.555.0101", "011 1 312 555 0101"):
        body = get(client, key, number=number).json()
        assert (body["found"], body["name"], body["company"], body["source"]) == (True, "Nina Supplier", "Fabrikam",
                                                                                 "company"), number
        assert body["e164"] == "+13125550101"
    assert get(client, key, number="2001").json()["name"] == "Alice Andersen"


def test_personal_contacts_only_for_the_called_user_and_never_across_organizations(client, organization, data):
    key = api_key(organization)
    assert get(client, key, number="3125550177").json()["found"] is False
    assert get(client, key, number="3125550177", extension="2001").json()["name"] == "Alice's Dentist"
    assert get(client, key, number="+13125550199").json()["found"] is False  # another organization's contact
    assert get(client, key, number="3125550177", extension="9999").status_code == 404


@pytest.mark.parametrize("number", ["", "abc", "1" * 65])
def test_bad_numbers_answer_400(client, organization, data, number):
    response = get(client, api_key(organization), number=number)
    assert response.status_code == 400 and response.json()["error"] == "bad_request"


def test_needs_a_valid_unrevoked_key(client, organization, data, admin_client):
    assert client.get(URL, {"number": "+13125550101"}).status_code == 401
    assert get(client, "vcpbx_00000000_wrong", number="+13125550101").status_code == 401
    key = api_key(organization)
    OrganizationApiKey.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert get(client, key, number="+13125550101").status_code == 401
    assert admin_client.get(URL, {"number": "+13125550101"}).status_code == 401  # a session is not a key
