import pytest

from integrations.scim.protocol import definitions, urns
from integrations.scim.protocol.errors import ScimError
from integrations.scim.protocol.projection import project

USER = {
    "schemas": [urns.USER, urns.ENTERPRISE_USER],
    "id": "u1",
    "userName": "bjensen",
    "name": {"givenName": "Barbara", "familyName": "Jensen"},
    "emails": [{"value": "a@x", "type": "work"}, {"value": "b@y", "type": "home"}],
    "meta": {"resourceType": "User"},
    urns.ENTERPRISE_USER: {"department": "Sales", "employeeNumber": "7"},
}


def test_excluded_attributes_members_on_a_group():
    group = {"schemas": [urns.GROUP], "id": "g", "displayName": "Sales", "members": [{"value": "u1"}]}
    assert project(group, definitions.GROUP, excluded_attributes="members") == {
        "schemas": [urns.GROUP],
        "id": "g",
        "displayName": "Sales",
    }
    assert group["members"]  # the input is untouched


def test_attributes_keeps_only_what_is_asked_plus_id_and_schemas():
    shown = project(USER, definitions.USER, attributes="userName, name.givenName, emails.value, department")
    assert shown == {
        "schemas": USER["schemas"],
        "id": "u1",
        "userName": "bjensen",
        "name": {"givenName": "Barbara"},
        "emails": [{"value": "a@x"}, {"value": "b@y"}],
        urns.ENTERPRISE_USER: {"department": "Sales"},
    }


def test_names_are_case_insensitive_and_urn_qualified():
    shown = project(
        USER, definitions.USER, excluded_attributes=f"EMAILS,{urns.ENTERPRISE_USER}:department,name.givenname"
    )
    assert "emails" not in shown
    assert shown[urns.ENTERPRISE_USER] == {"employeeNumber": "7"}
    assert shown["name"] == {"familyName": "Jensen"}


def test_always_returned_attributes_cannot_be_excluded_and_unknown_names_are_ignored():
    shown = project(USER, definitions.USER, excluded_attributes="id,schemas,nickName")
    assert shown == USER


def test_a_whole_extension():
    assert (
        project(USER, definitions.USER, attributes=urns.ENTERPRISE_USER)[urns.ENTERPRISE_USER]
        == USER[urns.ENTERPRISE_USER]
    )
    assert urns.ENTERPRISE_USER not in project(USER, definitions.USER, excluded_attributes=urns.ENTERPRISE_USER)


def test_attributes_wins_over_excluded_attributes():
    assert project(USER, definitions.USER, attributes="userName", excluded_attributes="userName")["userName"]


def test_malformed_names_are_invalid_value():
    with pytest.raises(ScimError) as raised:
        project(USER, definitions.USER, attributes="user name")
    assert raised.value.scim_type == "invalidValue"
