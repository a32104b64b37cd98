import pytest

from integrations.scim.protocol import definitions, urns
from integrations.scim.protocol.errors import ScimError
from integrations.scim.protocol.patch import MAX_OPERATIONS, apply_patch
from tests.helpers.scim import patch_op

ENTERPRISE = urns.ENTERPRISE_USER


def user(**extra):
    document = {
        "schemas": [urns.USER],
        "id": "u1",
        "userName": "bjensen@contoso.com",
        "active": True,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "bjensen@contoso.com", "type": "work", "primary": True}],
    }
    document.update(extra)
    return document


def patched(resource, *operations, shape=definitions.USER):
    return apply_patch(resource, patch_op(*operations), shape)


def error_of(resource, *operations, shape=definitions.USER, body=None):
    with pytest.raises(ScimError) as raised:
        apply_patch(resource, body if body is not None else patch_op(*operations), shape)
    assert raised.value.status == 400
    return raised.value


def test_input_is_not_modified_and_changes_are_listed():
    original = user()
    result = patched(original, {"op": "replace", "path": "name.givenName", "value": "Babs"})
    assert original["name"]["givenName"] == "Barbara"
    assert result.resource["name"] == {"givenName": "Babs", "familyName": "Jensen"}
    assert result.changed == ("name.givenName",)


def test_resending_the_same_value_changes_nothing():
    assert patched(user(), {"op": "Replace", "path": "active", "value": True}).changed == ()
    assert (
        patched(
            user(), {"op": "Add", "path": "emails", "value": [{"value": "bjensen@contoso.com", "type": "work"}]}
        ).changed
        == ()
    )


@pytest.mark.parametrize("op", ["add", "Add", "ADD", "replace", "Replace", "rePLACE"])
def test_op_names_are_case_insensitive(op):
    assert patched(user(), {"op": op, "path": "title", "value": "Guide"}).resource["title"] == "Guide"


@pytest.mark.parametrize("value", [False, "False", "false", "FALSE"])
def test_active_false_in_every_spelling_microsoft_uses(value):
    result = patched(user(), {"op": "Replace", "path": "active", "value": value})
    assert result.resource["active"] is False
    assert result.changed == ("active",)


def test_path_case_is_canonicalised():
    result = patched(
        user(), {"op": "replace", "path": "NAME.GIVENNAME", "value": "B"}, {"op": "add", "path": "Title", "value": "x"}
    )
    assert result.resource["name"]["givenName"] == "B"
    assert result.resource["title"] == "x"


def test_value_object_without_path_with_dotted_and_urn_keys():
    result = patched(
        user(),
        {
            "op": "replace",
            "value": {
                "displayName": "Bjfe",
                "name.givenName": "Kkom",
                "name.familyName": "Unua",
                f"{ENTERPRISE}:employeeNumber": "Aklq",
                f"{ENTERPRISE}:department": "Sales",
            },
        },
    )
    assert result.resource["displayName"] == "Bjfe"
    assert result.resource["name"] == {"givenName": "Kkom", "familyName": "Unua"}
    assert result.resource[ENTERPRISE] == {"employeeNumber": "Aklq", "department": "Sales"}
    assert result.resource["schemas"] == [urns.USER, ENTERPRISE]
    assert set(result.changed) == {
        "displayName",
        "name.givenName",
        "name.familyName",
        f"{ENTERPRISE}:employeeNumber",
        f"{ENTERPRISE}:department",
    }


def test_value_object_without_path_with_an_extension_object():
    result = patched(user(), {"op": "add", "value": {ENTERPRISE: {"department": "Sales", "manager": "m-1"}}})
    assert result.resource[ENTERPRISE] == {"department": "Sales", "manager": {"value": "m-1"}}


def test_complex_value_merges_sub_attributes():
    result = patched(user(), {"op": "replace", "path": "name", "value": {"givenName": "B", "formatted": "B Jensen"}})
    assert result.resource["name"] == {"givenName": "B", "familyName": "Jensen", "formatted": "B Jensen"}


def test_replace_through_a_filter_sets_the_matching_element():
    result = patched(user(), {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "new@contoso.com"})
    assert result.resource["emails"] == [{"value": "new@contoso.com", "type": "work", "primary": True}]
    assert result.changed == ("emails",)


def test_filter_matching_nothing_creates_the_described_element():
    # A user with no mobile number yet: Microsoft replaces phoneNumbers[type eq "mobile"].value.
    result = patched(user(), {"op": "replace", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+1 555 0199"})
    assert result.resource["phoneNumbers"] == [{"type": "mobile", "value": "+1 555 0199"}]
    result = patched(
        result.resource, {"op": "add", "path": 'phoneNumbers[type eq "work"].value', "value": "+1 555 0100"}
    )
    assert {number["type"] for number in result.resource["phoneNumbers"]} == {"mobile", "work"}


def test_filter_matching_nothing_that_describes_no_element_is_no_target():
    error = error_of(user(), {"op": "replace", "path": 'emails[value co "x"].type', "value": "home"})
    assert error.scim_type == "noTarget"


def test_add_to_multi_valued_appends_without_duplicates_and_keeps_one_primary():
    result = patched(
        user(),
        {"op": "add", "path": "emails", "value": [{"value": "b@home.org", "type": "home", "primary": True}]},
        {"op": "add", "path": "emails", "value": {"value": "B@HOME.ORG", "type": "home"}},
    )
    assert result.resource["emails"] == [
        {"value": "bjensen@contoso.com", "type": "work", "primary": False},
        {"value": "b@home.org", "type": "home", "primary": True},
    ]


def test_replace_multi_valued_without_filter_replaces_all():
    result = patched(user(), {"op": "replace", "path": "emails", "value": [{"value": "x@y.z", "type": "work"}]})
    assert result.resource["emails"] == [{"value": "x@y.z", "type": "work"}]


def test_remove_single_valued_complex_and_sub_attribute():
    result = patched(user(title="Guide"), {"op": "remove", "path": "title"}, {"op": "remove", "path": "name.givenName"})
    assert "title" not in result.resource
    assert result.resource["name"] == {"familyName": "Jensen"}
    result = patched(result.resource, {"op": "remove", "path": "name.familyName"})
    assert "name" not in result.resource


def test_removing_what_is_absent_changes_nothing():
    assert patched(user(), {"op": "remove", "path": "nickName"}).changed == ()
    assert patched(user(), {"op": "remove", "path": 'emails[type eq "other"]'}).changed == ()
    assert patched(user(), {"op": "remove", "path": f"{ENTERPRISE}:department"}).changed == ()


def test_remove_by_filter_and_last_value_unassigns():
    result = patched(user(), {"op": "remove", "path": 'emails[type eq "work"]'})
    assert "emails" not in result.resource
    assert result.changed == ("emails",)


def test_null_value_unassigns():
    result = patched(user(title="Guide"), {"op": "replace", "path": "title", "value": None})
    assert "title" not in result.resource


def test_enterprise_attributes_and_manager_forms():
    result = patched(user(), {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": "m-1"})
    assert result.resource[ENTERPRISE] == {"manager": {"value": "m-1"}}
    result = patched(
        user(), {"op": "Add", "path": "manager", "value": [{"$ref": "http://x/Users/m-2", "value": "m-2"}]}
    )
    assert result.resource[ENTERPRISE] == {"manager": {"$ref": "http://x/Users/m-2", "value": "m-2"}}
    result = patched(result.resource, {"op": "replace", "path": f"{ENTERPRISE}:manager.value", "value": "m-3"})
    assert result.resource[ENTERPRISE]["manager"]["value"] == "m-3"
    result = patched(result.resource, {"op": "remove", "path": f"{ENTERPRISE}:manager"})
    assert ENTERPRISE not in result.resource
    assert result.resource["schemas"] == [urns.USER]


def test_unknown_attributes_are_kept_as_sent():
    result = patched(
        user(),
        {"op": "add", "path": "preferredLanguage", "value": "en-US"},
        {"op": "replace", "path": 'addresses[type eq "work"].postalCode', "value": "98052"},
    )
    assert result.resource["preferredLanguage"] == "en-US"
    assert result.resource["addresses"] == [{"type": "work", "postalCode": "98052"}]


def test_group_members_add_and_remove_in_every_form():
    group = {"schemas": [urns.GROUP], "id": "g1", "displayName": "Sales", "members": [{"value": "a"}]}
    result = patched(
        group,
        {"op": "Add", "path": "members", "value": [{"$ref": None, "value": "b"}, {"value": "a"}]},
        shape=definitions.GROUP,
    )
    assert result.resource["members"] == [{"value": "a"}, {"value": "b"}]
    result = patched(
        result.resource, {"op": "Remove", "path": "members", "value": [{"value": "a"}]}, shape=definitions.GROUP
    )
    assert result.resource["members"] == [{"value": "b"}]
    result = patched(result.resource, {"op": "remove", "path": 'members[value eq "b"]'}, shape=definitions.GROUP)
    assert "members" not in result.resource
    assert result.changed == ("members",)


def test_members_display_sent_by_a_client_is_dropped():
    group = {"schemas": [urns.GROUP], "id": "g1", "displayName": "Sales"}
    result = patched(
        group, {"op": "add", "path": "members", "value": [{"value": "a", "display": "Alice"}]}, shape=definitions.GROUP
    )
    assert result.resource["members"] == [{"value": "a"}]


def test_remove_all_members():
    group = {"schemas": [urns.GROUP], "displayName": "Sales", "members": [{"value": "a"}, {"value": "b"}]}
    assert "members" not in patched(group, {"op": "remove", "path": "members"}, shape=definitions.GROUP).resource


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ([], "invalidSyntax"),
        ({"Operations": [{"op": "add", "path": "title", "value": "x"}]}, "invalidSyntax"),
        ({"schemas": ["urn:wrong"], "Operations": [{"op": "add", "path": "title", "value": "x"}]}, "invalidSyntax"),
        (patch_op(), "invalidSyntax"),
        ({"schemas": [urns.PATCH_OP], "Operations": {"op": "add"}}, "invalidSyntax"),
        (patch_op("add"), "invalidSyntax"),
        (patch_op({"op": "move", "path": "title", "value": "x"}), "invalidSyntax"),
        (patch_op({"op": "add", "path": "title"}), "invalidValue"),
        (patch_op({"op": "add", "path": 5, "value": "x"}), "invalidPath"),
        (patch_op({"op": "add", "path": "title[", "value": "x"}), "invalidPath"),
        (patch_op({"op": "add", "path": "userName.first", "value": "x"}), "invalidPath"),
        (patch_op({"op": "add", "path": 'title[value eq "x"]', "value": "x"}), "invalidPath"),
        (patch_op({"op": "remove"}), "noTarget"),
        (patch_op({"op": "add", "value": "not an object"}), "invalidValue"),
        (patch_op({"op": "replace", "path": "active", "value": "maybe"}), "invalidValue"),
        (patch_op({"op": "replace", "path": "title", "value": 5}), "invalidValue"),
        (patch_op({"op": "replace", "path": "name", "value": "x y"}), "invalidValue"),
        (patch_op({"op": "replace", "path": "title", "value": "a\x00b"}), "invalidValue"),
        (patch_op({"op": "replace", "path": "title", "value": float("nan")}), "invalidValue"),
        (patch_op({"op": "replace", "path": "id", "value": "x"}), "mutability"),
        (patch_op({"op": "replace", "path": "meta.created", "value": "x"}), "mutability"),
        (patch_op({"op": "remove", "path": "userName"}), "mutability"),
        (patch_op({"op": "replace", "path": "userName", "value": None}), "mutability"),
        (patch_op({"op": "add", "value": {"id": "other"}}), "mutability"),
    ],
)
def test_errors(body, scim_type):
    assert error_of(user(), body=body).scim_type == scim_type


def test_immutable_member_value_cannot_be_rewritten():
    group = {"displayName": "Sales", "members": [{"value": "a"}]}
    error = error_of(
        group, {"op": "replace", "path": 'members[value eq "a"].value', "value": "b"}, shape=definitions.GROUP
    )
    assert error.scim_type == "mutability"


def test_operation_count_is_bounded():
    body = patch_op(*[{"op": "add", "path": "title", "value": "x"}] * (MAX_OPERATIONS + 1))
    assert "at most" in error_of(user(), body=body).detail


def test_deep_values_are_refused():
    value = "x"
    for _ in range(20):
        value = {"a": value}
    assert error_of(user(), {"op": "add", "path": "custom", "value": value}).scim_type == "invalidValue"


def test_error_names_the_operation():
    error = error_of(
        user(), {"op": "add", "path": "title", "value": "x"}, {"op": "replace", "path": "active", "value": 3}
    )
    assert error.detail.startswith("Operations[2]")


def test_an_element_created_from_a_filter_must_match_it():
    group = {"displayName": "Sales"}
    error = error_of(group, {"op": "replace", "path": 'members[value eq "a"]', "value": ""}, shape=definitions.GROUP)
    assert error.scim_type == "invalidValue"


def test_undeclared_list_attribute_is_replaced_consistently():
    request = {"op": "replace", "path": "roles", "value": [{"value": "admin"}, {}]}
    first = patched(user(), request)
    assert first.resource["roles"] == [{"value": "admin"}]
    assert patched(first.resource, request).changed == ()
