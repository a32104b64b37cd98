"""GET /api/pbx/lookup also names colleagues by their extension's mobile and business phones (E.164)."""

import pytest
from django.db import connection

from contacts.selectors import _extension_by_phone, caller_id_lookup
from extensions.models import Extension
from tests.helpers.contacts import add_contacts, api_key, get, make_mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleagues(organization, other_organization, extension_factory):
    dana = extension_factory(number="2001", display_name="Dana Mobile", mobile_phone="+13125550123",
                             business_phone="+13125550100")  # the main line, as everyone's business phone
    extension_factory(number="2002", display_name="Eli Main", business_phone="+13125550100")
    extension_factory(number="2003", display_name="Fay Desk", business_phone="+13125550144")
    extension_factory(number="2004", display_name="Gus Gone", mobile_phone="+13125550155",
                      status=Extension.Status.DISABLED)
    extension_factory(org=other_organization, number="2005", display_name="Other Org Ivan",
                      mobile_phone="+13125550166")
    add_contacts(make_mailbox(organization), {"displayName": "Switchboard", "companyName": "Contoso",
                                              "businessPhones": ["+1 312 555 0100"]},
                 {"displayName": "Fay As A Company Contact", "businessPhones": ["+1 312 555 0144"]})
    add_contacts(make_mailbox(organization, owner=dana), {"displayName": "Dana's Name For Fay",
                                                          "mobilePhone": "312-555-0144"})
    return dana


def lookup(client, organization, **params) -> tuple:
    body = get(client, api_key(organization), **params).json()
    return body["found"], body["name"], body["source"], body["extension"]


def test_colleague_found_by_mobile_in_any_format(client, organization, colleagues):
    for number in ("+13125550123", "(312) 555-0123", "312.555.0123", "011 1 312 555 0123", "1 312 555 0123"):
        assert lookup(client, organization, number=number) == (True, "Dana Mobile", "extension", "2001"), number


def test_ranking_with_contacts(client, organization, colleagues):
    # A unique business phone names the colleague, ahead of a company contact with the same number ...
    assert lookup(client, organization, number="312 555 0144") == (True, "Fay Desk", "extension", "2003")
    # ... but the called user's own contact comes first.
    assert lookup(client, organization, number="312 555 0144", extension="2001") == (
        True, "Dana's Name For Fay", "personal", "")
    # A business phone shared by several extensions (the main line) names nobody: the company contact does.
    assert lookup(client, organization, number="+1 312 555 0100") == (True, "Switchboard", "company", "")
    # The internal number still wins over everything else.
    assert lookup(client, organization, number="2002") == (True, "Eli Main", "extension", "2002")


def test_disabled_and_other_organizations_extensions_are_not_used(client, organization, colleagues):
    assert lookup(client, organization, number="+13125550155")[0] is False
    assert lookup(client, organization, number="+13125550166")[0] is False


def test_lookup_by_phone_costs_a_fixed_number_of_queries(organization, colleagues, django_assert_num_queries):
    with django_assert_num_queries(4):  # internal number, mobile, business, company contact
        assert caller_id_lookup(organization=organization, number="+1 312 555 0199").found is False
    with django_assert_num_queries(2):  # internal number, mobile
        assert caller_id_lookup(organization=organization, number="312 555 0123").name == "Dana Mobile"


@pytest.mark.parametrize("field_name, index", [("mobile_phone", "extension_org_mobile"),
                                               ("business_phone", "extension_org_business")])
def test_phone_lookup_reads_its_index(organization, colleagues, field_name, index):
    Extension.objects.bulk_create(  # enough distinct numbers for the planner's statistics to mean something
        Extension(organization=organization, number=str(3000 + i), display_name=f"Bulk {i}",
                  mobile_phone=f"+1415555{i:04d}", business_phone=f"+1628555{i:04d}") for i in range(400))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    queryset = (Extension.objects.filter(organization=organization, status=Extension.Status.ACTIVE,
                                         **{f"{field_name}__in": ["+13125550123", "+3125550123"]})
                .order_by("id").values("number", "display_name")[:2])
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether the index can serve it
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert index in plan, plan
    assert _extension_by_phone(organization, field_name, []) is None  # no valid number: no query at all
