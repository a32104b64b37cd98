"""Microsoft's documented provisioning-service requests (tests/fixtures/scim/), replayed through the protocol core
in the order the service sends them: look up by userName, create, update, disable; create a group, add and remove
members. The views will replay the same files over HTTP."""

import pytest

from integrations.scim.protocol import definitions, urns
from integrations.scim.protocol.bodies import read_resource
from integrations.scim.protocol.filter_eval import matches
from integrations.scim.protocol.filters import parse_filter
from integrations.scim.protocol.listing import list_response, parse_page
from integrations.scim.protocol.patch import apply_patch
from integrations.scim.protocol.projection import project
from tests.helpers.scim import fixture

ENTERPRISE = urns.ENTERPRISE_USER


def query(store, text, shape=definitions.USER):
    node = parse_filter(text)
    found = [resource for resource in store if matches(node, resource, shape)]
    return list_response(found, total_results=len(found), page=parse_page(None, None))


def created_user():
    user = read_resource(fixture("create_user.request.json"), definitions.USER)
    return {**user, "id": "48af03ac28ad4fb88478"}


def test_user_lifecycle_as_microsoft_sends_it():
    store = []
    filters = fixture("filters.json")

    # 1. Look up by userName first: nothing yet, an empty ListResponse (what Test Connection expects too).
    empty = query(store, filters["get_user_by_query"])
    documented_empty = fixture("get_user_by_query_zero.response.json")
    assert set(empty) == set(documented_empty)
    assert (empty["totalResults"], empty["Resources"]) == (0, [])

    # 2. Create.
    user = created_user()
    assert user["userName"] == "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
    assert user["active"] is True
    assert user["emails"] == [
        {"primary": True, "type": "work", "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"}
    ]
    assert user["name"] == {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"}
    assert "meta" not in user and "roles" not in user  # readOnly meta ignored; an empty roles list is unassigned
    store.append(user)

    # 3. The same lookup now finds it.
    found = query(store, filters["get_user_by_query"])
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == user["id"]

    # 4. Update multi-valued and single-valued attributes.
    result = apply_patch(user, fixture("update_user_multi_valued.request.json"), definitions.USER)
    assert result.resource["emails"][0]["value"] == "updatedEmail@microsoft.com"
    assert result.resource["name"]["familyName"] == "updatedFamilyName"
    assert set(result.changed) == {"emails", "name.familyName"}
    result = apply_patch(result.resource, fixture("update_user_single_valued.request.json"), definitions.USER)
    assert result.resource["userName"] == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    assert result.changed == ("userName",)

    # 5. Disable.
    result = apply_patch(result.resource, fixture("disable_user.request.json"), definitions.USER)
    assert result.resource["active"] is False
    assert result.changed == ("active",)
    # A disabled user is still returned by GET and by queries (Microsoft: only a hard delete hides it).
    assert query([result.resource], 'userName eq "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"')["totalResults"]


@pytest.mark.parametrize("flag", ["without_flag", "with_flag"])
def test_disable_user_with_and_without_aadOptscim062020(flag):
    result = apply_patch(created_user(), fixture(f"compat_disable_user.{flag}.request.json"), definitions.USER)
    assert result.resource["active"] is False
    assert result.changed == ("active",)


@pytest.mark.parametrize("flag", ["without_flag", "with_flag"])
def test_replace_several_attributes_with_and_without_the_flag(flag):
    request = fixture(f"compat_replace_multiple.{flag}.request.json")
    result = apply_patch(created_user(), request, definitions.USER)
    resource = result.resource
    assert resource["emails"][0]["type"] == "work"
    assert resource["emails"][0]["value"].endswith("@test.microsoft.com")
    assert resource["emails"][0]["primary"] is True  # the rest of the element stays
    assert resource["displayName"] and resource["name"]["givenName"] and resource["name"]["familyName"]
    assert resource[ENTERPRISE]["employeeNumber"]
    assert resource["schemas"] == [urns.USER, ENTERPRISE]
    expected = {"displayName", "emails", "name.givenName", "name.familyName", f"{ENTERPRISE}:employeeNumber"}
    if flag == "without_flag":
        expected.add("externalId")
    assert set(result.changed) == expected


@pytest.mark.parametrize("flag", ["without_flag", "with_flag"])
def test_add_single_valued_attribute_with_and_without_the_flag(flag):
    result = apply_patch(created_user(), fixture(f"compat_add_single_value.{flag}.request.json"), definitions.USER)
    assert result.resource["nickName"] == "Babs"  # not in our schemas: kept as sent


def test_manager_in_the_three_shapes_microsoft_sends():
    reported = apply_patch(created_user(), fixture("manager_string_value.reported.request.json"), definitions.USER)
    assert reported.resource[ENTERPRISE]["manager"] == {"value": "2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"}
    legacy = apply_patch(created_user(), fixture("update_user_manager_legacy_sample.request.json"), definitions.USER)
    assert legacy.resource[ENTERPRISE]["manager"]["value"] == "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
    assert reported.changed == legacy.changed == (f"{ENTERPRISE}:manager",)


def test_roles_patch_is_kept_as_sent():
    result = apply_patch(created_user(), fixture("roles_single_app_role.patch.request.json"), definitions.USER)
    assert result.resource["roles"][0]["value"].startswith('{"id":')


def test_legacy_create_sample_with_nulls_and_a_misspelt_schema():
    user = read_resource(fixture("provision_user_legacy_sample.request.json"), definitions.USER)
    assert user["userName"] == "jyoung@testuser.com"
    assert user["emails"][0]["value"] == "jyoung@Contoso.com"  # stored as sent (Microsoft: no transformation)
    for absent in ("addresses", "phoneNumbers", "preferredLanguage", "title", "department", "manager", ENTERPRISE):
        assert absent not in user
    assert user["schemas"] == [urns.USER]


def test_phone_numbers_of_every_type_are_kept():
    body = {**fixture("phone_numbers_multi_value.json"), "userName": "bjensen"}
    user = read_resource(body, definitions.USER)
    assert [number["type"] for number in user["phoneNumbers"]] == ["work", "mobile", "fax"]
    assert user["phoneNumbers"][1]["value"] == "555-555-5555"


def test_group_lifecycle_as_microsoft_sends_it():
    group = {**read_resource(fixture("create_group.request.json"), definitions.GROUP), "id": "a99962b9f99d4c4fac67"}
    assert group == {
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "displayName",
        "schemas": [urns.GROUP],  # the ADSCIM group URN Microsoft adds is not ours
        "id": "a99962b9f99d4c4fac67",
    }
    assert query([group], fixture("filters.json")["get_group_by_display_name"], definitions.GROUP)["totalResults"] == 1

    renamed = apply_patch(group, fixture("update_group_display_name.request.json"), definitions.GROUP)
    assert renamed.resource["displayName"] == "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"

    added = apply_patch(group, fixture("update_group_add_members.request.json"), definitions.GROUP)
    assert added.resource["members"] == [{"value": "f648f8d5ea4e4cd38e9c"}]  # "$ref": null is unassigned
    assert added.changed == ("members",)
    again = apply_patch(added.resource, fixture("update_group_add_members.request.json"), definitions.GROUP)
    assert again.changed == ()

    removed = apply_patch(added.resource, fixture("update_group_remove_members.request.json"), definitions.GROUP)
    assert "members" not in removed.resource
    assert removed.changed == ("members",)


@pytest.mark.parametrize(
    ("flag", "member"), [("without_flag", "u1091"), ("with_flag", "7f4bc1a3-285e-48ae-8202-5accb43efb0e")]
)
def test_remove_member_with_and_without_the_flag(flag, member):
    group = {"schemas": [urns.GROUP], "displayName": "Sales", "members": [{"value": member}, {"value": "keep"}]}
    result = apply_patch(group, fixture(f"compat_remove_member.{flag}.request.json"), definitions.GROUP)
    assert result.resource["members"] == [{"value": "keep"}]


def test_group_get_excludes_members_when_asked():
    documented = fixture("create_group.response.json")
    shown = project(documented, definitions.GROUP, excluded_attributes="members")
    assert "members" not in shown
    assert shown["id"] == documented["id"] and shown["displayName"] == "displayName"


def test_documented_disabled_user_matches_active_eq_false():
    documented = fixture("disable_user.response.json")
    assert matches(parse_filter("active eq false"), documented, definitions.USER)
