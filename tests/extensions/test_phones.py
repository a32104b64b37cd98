"""One phone module: the three policies read numbers the same way, and caller-ID lookup finds every number user
sync or contact sync stored, however the PBX sends it."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from contacts.selectors import caller_id_lookup
from extensions.phones import (
    PhoneNumberError,
    contact_number,
    entra_attribute,
    extension_field,
    lookup_candidates,
)
from integrations.graph.users import GraphUser
from integrations.sync.users.mapping import directory_user
from tests.helpers.contacts import add_contacts, make_mailbox


def test_a_national_number_reads_the_same_in_every_policy():
    assert extension_field("(425) 555-0100", "US") == "+14255550100"
    assert entra_attribute("(425) 555-0100", "US") == "+14255550100"
    assert contact_number("(425) 555-0100", "US").e164 == "+14255550100"
    assert contact_number("020 7946 0958", "GB").national == "2079460958"
    assert lookup_candidates("0044 20 7946 0958", "DE") == ["+442079460958"]


def test_a_number_too_short_is_never_stored_as_a_different_number():
    with pytest.raises(PhoneNumberError):
        extension_field("+1 (425) 555-01", "US")
    assert entra_attribute("+1 (425) 555-01", "US") == "+1 (425) 555-01"  # kept as given, not "+142555501"
    assert contact_number("+1 (425) 555-01", "US").e164 == ""
    odd = contact_number("ext. 12", "US")
    assert odd.e164 == "" and odd.digits == "12"
    assert contact_number("", "US") is None and contact_number("n/a", "US") is None
    assert entra_attribute("  ", "US") == "" and extension_field("", "US") == ""


REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


def example(region: str, kind: int) -> phonenumbers.PhoneNumber | None:
    return phonenumbers.example_number_for_type(region, kind)


@st.composite
def stored_and_sent(draw):
    """A real number of some region, the text Entra or Outlook holds for it, and a form the PBX sends."""
    org_region = draw(st.sampled_from(REGIONS))
    number_region = draw(st.sampled_from([org_region, *REGIONS]))
    number = example(number_region, draw(st.sampled_from([PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE])))
    if number is None or not phonenumbers.is_valid_number(number):
        number = example(org_region, PhoneNumberType.FIXED_LINE) or phonenumbers.example_number("US")
    own = phonenumbers.region_code_for_number(number) == org_region
    written = [PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.RFC3966]
    if own:
        written.append(PhoneNumberFormat.NATIONAL)  # "(425) 555-0100" in its own country
    stored_text = phonenumbers.format_number(number, draw(st.sampled_from(written)))
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    sent = [e164, e164[1:], phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)]
    if own:
        sent += [phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
                 phonenumbers.national_significant_number(number)
                 if not phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL).startswith("0") else e164]
    return org_region, stored_text, draw(st.sampled_from(sent)), e164


@settings(max_examples=400, deadline=None)
@given(stored_and_sent())
def test_every_stored_number_is_found_from_the_way_a_pbx_sends_it(case):
    org_region, stored_text, sent, e164 = case
    assert entra_attribute(stored_text, org_region) == e164
    assert contact_number(stored_text, org_region).e164 == e164
    assert e164 in lookup_candidates(sent, org_region), (stored_text, sent)


@pytest.mark.django_db
@pytest.mark.parametrize(("stored", "sent"), [
    ("(425) 555-0100", "+14255550100"), ("+1 425-555-0100", "4255550100"), ("425.555.0100", "(425) 555 0100"),
    ("+44 20 7946 0958", "0044 20 7946 0958"), ("+49 30 901820", "+49 30 901820"),
])
def test_user_sync_and_contact_sync_numbers_name_the_caller(organization, extension_factory, stored, sent):
    user = GraphUser.from_graph({"id": "AAAA0000-0000-0000-0000-000000000001", "displayName": "Ada Colleague",
                                 "userPrincipalName": "ada@contoso.example", "mobilePhone": stored})
    fields = directory_user(user, organization.default_region).fields
    extension_factory(number="2001", display_name="Ada Colleague", mobile_phone=fields["mobile_phone"])
    assert caller_id_lookup(organization=organization, number=sent).name == "Ada Colleague"
    add_contacts(make_mailbox(organization), {"displayName": "Nina Supplier", "businessPhones": [stored]})
    assert caller_id_lookup(organization=organization, number=sent).found
