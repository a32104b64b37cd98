import pytest

from integrations.scim.protocol import definitions, urns
from integrations.scim.protocol.filter_eval import matches
from integrations.scim.protocol.filters import parse_filter
from tests.helpers.scim import fixture

USER = {
    "schemas": [urns.USER, urns.ENTERPRISE_USER],
    "id": "2441309d85324e7793ae",
    "externalId": "7fce0092-d52e-4f76-b727-3955bd72c939",
    "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
    "name": {"familyName": "Jensen", "givenName": "Barbara"},
    "active": True,
    "title": "Tour Guide",
    "emails": [
        {"value": "bjensen@contoso.com", "type": "work", "primary": True},
        {"value": "babs@jensen.org", "type": "home"},
    ],
    "phoneNumbers": [{"value": "+1 555 0100", "type": "work"}],
    "meta": {"created": "2018-03-27T19:59:26.000Z", "lastModified": "2018-03-27T19:59:26Z"},
    urns.ENTERPRISE_USER: {"department": "Tour Operations", "manager": {"value": "26118915"}},
}


def check(text, resource=USER, shape=definitions.USER):
    return matches(parse_filter(text), resource, shape)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName eq "test_user_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"', True),  # userName is not caseExact
        ('USERNAME Eq "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"', True),
        ('externalId eq "7FCE0092-D52E-4F76-B727-3955BD72C939"', False),  # externalId is caseExact
        ('externalId eq "7fce0092-d52e-4f76-b727-3955bd72c939"', True),
        ('id eq "2441309D85324E7793AE"', False),
        ('title co "guide"', True),
        ('title sw "Tour"', True),
        ('title ew "Guide"', True),
        ('title ne "Tour Guide"', False),
        ('nickName ne "x"', True),  # ne is the negation of eq: an absent attribute is not equal
        ("nickName eq null", True),
        ("title eq null", False),
        ("title ne null", True),
        ("title pr", True),
        ("nickName pr", False),
        ("active eq true", True),
        ('active eq "True"', True),  # Microsoft's boolean strings
        ("active eq false", False),
        ('name.familyName eq "jensen"', True),
        ('emails.value eq "babs@jensen.org"', True),  # any value of a multi-valued attribute
        ('emails eq "bjensen@contoso.com"', True),  # complex without sub-attribute: its "value"
        ('emails[type eq "work"].value eq "bjensen@contoso.com"', True),  # Microsoft's matching query
        ('emails[type eq "work"].value eq "babs@jensen.org"', False),
        ('emails[type eq "home" and primary eq true]', False),
        ('emails[type eq "work" and primary eq true]', True),
        ("emails[primary pr]", True),
        ('phoneNumbers[type eq "mobile"]', False),
        (f'{urns.ENTERPRISE_USER}:department eq "tour operations"', True),
        ('department eq "Tour Operations"', True),  # an unqualified name only the enterprise schema declares
        (f'{urns.ENTERPRISE_USER}:manager.value eq "26118915"', True),
        ('meta.lastModified gt "2011-05-13T04:42:34Z"', True),
        ('meta.created ge "2018-03-27T19:59:26Z"', True),  # instants, not strings
        ('meta.created gt "2018-03-27T19:59:26Z"', False),
        ('not (title pr) or userName sw "test"', True),
        ("title pr and not (active eq true)", False),
        ('userName gt "a"', True),
        ("title gt 5", False),  # a number never equals or orders a string
    ],
)
def test_semantics(text, expected):
    assert check(text) is expected


def test_members_value_is_case_exact():
    group = {"displayName": "Sales", "members": [{"value": "AbC"}]}
    assert check('members[value eq "AbC"]', group, definitions.GROUP)
    assert not check('members[value eq "abc"]', group, definitions.GROUP)
    assert check('displayName eq "SALES"', group, definitions.GROUP)


def test_without_a_shape_strings_compare_case_insensitively():
    assert check('userName eq "TEST_USER_00AA00AA-BB11-CC22-DD33-44EE44EE44EE"', USER, None)
    assert check('externalId eq "7FCE0092-D52E-4F76-B727-3955BD72C939"', USER, None)


def test_microsofts_documented_queries_against_its_documented_response():
    listed = fixture("get_user_by_query.response.json")["Resources"][0]
    filters = fixture("filters.json")
    assert check(filters["get_user_by_query"], listed)
    assert not check(filters["get_user_by_query_zero"], listed)
    assert check(f'externalId eq "{listed["externalId"]}"', listed)


@pytest.mark.parametrize(
    "odd",
    [{}, {"emails": "not a list"}, {"emails": [1, None, "x"]}, {"name": ["a"]}, {"active": "maybe"}, {"meta": 5}],
)
def test_odd_data_does_not_match_and_does_not_raise(odd):
    for text in (
        'emails[type eq "work"]',
        'emails.value eq "x"',
        'name.givenName sw "a"',
        "active eq true",
        'meta.created gt "2020-01-01T00:00:00Z"',
        "title pr",
    ):
        assert check(text, odd) is False
