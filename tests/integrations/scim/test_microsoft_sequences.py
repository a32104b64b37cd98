"""Microsoft's documented provisioning-service sequences replayed over HTTP against /scim/v2/, with the payloads
copied as published (tests/fixtures/scim/, README there): the userName lookup before a create, the create, PATCH
replace of several attributes (with and without the aadOptscim062020 flag, value objects without path included),
active false, group create, member add and remove in both documented shapes, and DELETE. Ids Microsoft's samples
hold are replaced by the ids this endpoint returned, as the provisioning service uses them."""

import json

import pytest

from extensions.models import Extension, ExtensionGroup
from integrations.sync.models import SyncEvent
from tests.helpers.scim import fixture
from tests.helpers.scim_endpoint import ScimClient

pytestmark = pytest.mark.django_db
USER_NAME = "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"


@pytest.fixture
def entra(organization):
    return ScimClient(organization)


def with_ids(name: str, **replacements) -> dict:
    text = json.dumps(fixture(name))
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


def create_user(entra) -> dict:
    """What Entra does for an assigned user: look up by userName (0 results), then POST."""
    lookup = entra.get("/Users", {"filter": fixture("filters.json")["get_user_by_query"]})
    assert lookup.status_code == 200
    documented_zero = fixture("get_user_by_query_zero.response.json")
    assert set(lookup.json()) == set(documented_zero) and lookup.json()["totalResults"] == 0
    created = entra.post("/Users", fixture("create_user.request.json"))
    assert created.status_code == 201
    return created.json()


def test_create_user_after_the_username_lookup(entra):
    user = create_user(entra)
    assert user["userName"] == USER_NAME and user["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert "roles" not in user and user["active"] is True
    # externalId holds a GUID: it is the id, and the extension's Entra object id
    assert user["id"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    extension = Extension.objects.get(entra_object_id=user["id"])
    assert (extension.first_name, extension.last_name, extension.display_name) == \
        ("givenName", "familyName", "givenName familyName")
    assert extension.email == "test_user_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"
    # The same lookup now finds it, in the documented response's shape
    found = entra.get("/Users", {"filter": fixture("filters.json")["get_user_by_query"]}).json()
    documented = fixture("get_user_by_query.response.json")
    assert set(found) == set(documented) and found["totalResults"] == 1
    assert set(documented["Resources"][0]) <= set(found["Resources"][0])
    # A second create of the same userName is the documented 409
    again = entra.post("/Users", fixture("create_user.request.json"))
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"


def test_get_user_not_found_is_the_documented_error(entra):
    response = entra.get("/Users/5171a35d82074e068ce2")
    documented = fixture("get_user_not_found.response.json")
    assert response.status_code == 404 and set(documented) <= set(response.json())
    assert response.json()["schemas"] == documented["schemas"]


@pytest.mark.parametrize("name", ["update_user_multi_valued.request.json", "update_user_single_valued.request.json"])
def test_update_user_documented_patches(entra, name):
    user = create_user(entra)
    response = entra.patch(f"/Users/{user['id']}", fixture(name))
    assert response.status_code == 200
    extension = Extension.objects.get(entra_object_id=user["id"])
    if "multi" in name:
        assert response.json()["emails"][0]["value"] == "updatedEmail@microsoft.com"
        assert (extension.email, extension.last_name) == ("updatedemail@microsoft.com", "updatedFamilyName")
    else:
        assert extension.entra_upn == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
        assert entra.get("/Users", {"filter": 'userName eq "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"'}) \
            .json()["totalResults"] == 1


@pytest.mark.parametrize("flag", ["without_flag", "with_flag"])
def test_replace_of_several_attributes_both_shapes(entra, flag):
    user = create_user(entra)
    response = entra.patch(f"/Users/{user['id']}", fixture(f"compat_replace_multiple.{flag}.request.json"))
    assert response.status_code == 200
    extension = Extension.objects.get(entra_object_id=user["id"])
    body = response.json()
    enterprise = body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
    if flag == "with_flag":  # the value object without path: keys are attribute paths
        assert (extension.display_name, extension.first_name, extension.last_name) == ("Bjfe", "Kkom", "Unua")
        assert extension.email == "testmhvaes@test.microsoft.com" and enterprise["employeeNumber"] == "Aklq"
    else:
        assert (extension.display_name, extension.first_name, extension.last_name) == ("Pvlo", "Gtfd", "Pkqf")
        assert body["externalId"] == "Eqpj" and enterprise["employeeNumber"] == "Eqpj"
    assert SyncEvent.objects.filter(subject_id=user["id"], action="updated").count() == 1  # one entry per request


@pytest.mark.parametrize("name", ["disable_user.request.json", "compat_disable_user.without_flag.request.json",
                                  "compat_disable_user.with_flag.request.json"])
def test_disable_user(entra, name):
    user = create_user(entra)
    response = entra.patch(f"/Users/{user['id']}", fixture(name))
    assert response.status_code == 200 and response.json()["active"] is False
    assert Extension.objects.get(entra_object_id=user["id"]).status == "disabled"
    assert SyncEvent.objects.filter(subject_id=user["id"], action="disabled").count() == 1


@pytest.mark.parametrize("flag", ["without_flag", "with_flag"])
def test_add_single_value_attribute(entra, flag):
    user = create_user(entra)
    response = entra.patch(f"/Users/{user['id']}", fixture(f"compat_add_single_value.{flag}.request.json"))
    assert response.status_code == 200 and response.json()["nickName"] == "Babs"


def test_group_lifecycle(entra):
    user = create_user(entra)
    created = entra.post("/Groups", fixture("create_group.request.json"))
    assert created.status_code == 201
    group = created.json()
    documented = fixture("create_group.response.json")
    assert set(documented) - {"members"} <= set(group)
    assert group["id"] == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"  # the objectId Entra sends as externalId
    found = entra.get("/Groups", {"filter": fixture("filters.json")["get_group_by_display_name"],
                                  "excludedAttributes": "members"}).json()
    assert found["totalResults"] == 1 and "members" not in found["Resources"][0]

    renamed = entra.patch(f"/Groups/{group['id']}", fixture("update_group_display_name.request.json"))
    assert renamed.status_code == 204
    extension_group = ExtensionGroup.objects.get(entra_group_id=group["id"])
    assert extension_group.name == "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"

    added = entra.patch(f"/Groups/{group['id']}", with_ids("update_group_add_members.request.json",
                                                           f648f8d5ea4e4cd38e9c=user["id"]))
    assert added.status_code == 204
    assert [e.entra_upn for e in extension_group.members.all()] == [USER_NAME]

    removed = entra.patch(f"/Groups/{group['id']}", with_ids("update_group_remove_members.request.json",
                                                             f648f8d5ea4e4cd38e9c=user["id"]))
    assert removed.status_code == 204 and not extension_group.members.exists()

    entra.patch(f"/Groups/{group['id']}", with_ids("update_group_add_members.request.json",
                                                   f648f8d5ea4e4cd38e9c=user["id"]))
    with_flag = with_ids("compat_remove_member.with_flag.request.json",
                         **{"7f4bc1a3-285e-48ae-8202-5accb43efb0e": user["id"]})
    assert entra.patch(f"/Groups/{group['id']}", with_flag).status_code == 204
    assert not extension_group.members.exists()
    entra.patch(f"/Groups/{group['id']}", with_ids("update_group_add_members.request.json",
                                                   f648f8d5ea4e4cd38e9c=user["id"]))
    without_flag = with_ids("compat_remove_member.without_flag.request.json", u1091=user["id"])
    assert entra.patch(f"/Groups/{group['id']}", without_flag).status_code == 204
    assert not extension_group.members.exists()

    assert entra.delete(f"/Groups/{group['id']}").status_code == 204
    assert not ExtensionGroup.objects.exists()


def test_delete_user(entra):
    user = create_user(entra)
    assert entra.delete(f"/Users/{user['id']}").status_code == 204
    assert entra.get(f"/Users/{user['id']}").status_code == 404
    assert entra.get("/Users", {"filter": fixture("filters.json")["get_user_by_query"]}).json()["totalResults"] == 0
    extension = Extension.objects.get(entra_object_id=user["id"])
    assert (extension.status, extension.sync_state) == ("disabled", "removed")  # deleted after the grace period
    assert SyncEvent.objects.filter(subject_id=user["id"], action="disabled", reason__contains="DELETE").exists()
