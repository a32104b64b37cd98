import pytest

from integrations.scim.protocol import definitions, urns
from integrations.scim.protocol.bodies import read_resource
from integrations.scim.protocol.errors import ScimError


def test_read_only_and_unassigned_values_are_dropped_and_names_canonicalised():
    user = read_resource(
        {
            "schemas": [urns.USER],
            "id": "client-chosen",
            "meta": {"resourceType": "User"},
            "USERNAME": "bjensen",
            "Active": "True",
            "emails": [{"Value": "b@x", "Type": "work", "Primary": "true", "display": None}],
            "title": None,
            "groups": [],
        },
        definitions.USER,
    )
    assert user == {
        "userName": "bjensen",
        "active": True,
        "emails": [{"value": "b@x", "type": "work", "primary": True}],
        "schemas": [urns.USER],
    }


def test_enterprise_extension_object_and_flat_names():
    user = read_resource(
        {"userName": "b", urns.ENTERPRISE_USER: {"department": "Sales"}, "employeeNumber": "42"}, definitions.USER
    )
    assert user[urns.ENTERPRISE_USER] == {"department": "Sales", "employeeNumber": "42"}
    assert user["schemas"] == [urns.USER, urns.ENTERPRISE_USER]


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ("a string", "invalidSyntax"),
        ({"displayName": "no userName"}, "invalidValue"),
        ({"userName": None}, "invalidValue"),
        ({"userName": 5}, "invalidValue"),
        ({"userName": "b", "active": "yes"}, "invalidValue"),
        ({"userName": "b", "name": "Barbara Jensen"}, "invalidValue"),
        ({"userName": "b\x00"}, "invalidValue"),
        ({"userName": "b", "bad name": 1}, "invalidPath"),
    ],
)
def test_bad_bodies(body, scim_type):
    with pytest.raises(ScimError) as raised:
        read_resource(body, definitions.USER)
    assert (raised.value.status, raised.value.scim_type) == (400, scim_type)


def test_group_needs_a_display_name():
    with pytest.raises(ScimError):
        read_resource({"schemas": [urns.GROUP]}, definitions.GROUP)
    group = read_resource({"displayName": "Sales", "members": [{"value": "u1", "display": "x"}]}, definitions.GROUP)
    assert group["members"] == [{"value": "u1"}]
