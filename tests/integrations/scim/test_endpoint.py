"""/scim/v2/ over HTTP: discovery, errors as SCIM error objects, limits, and Users and Groups mapped onto extensions
and extension groups by the user-sync machinery."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from extensions.models import Extension, ExtensionGroup, RetainedNumber
from integrations.scim.mode import GRAPH, provisioning_mode_choose
from integrations.sync.models import SyncEvent, SyncRun
from integrations.sync.users.services import user_sync_settings_for
from tests.helpers.factories import make_extension
from tests.helpers.scim import patch_op
from tests.helpers.scim_endpoint import ScimClient, scim_user

pytestmark = pytest.mark.django_db
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def scim(organization):
    return ScimClient(organization)


def extension_of(user_id):
    return Extension.objects.get(entra_object_id=user_id)


# -- discovery and errors ------------------------------------------------------------------------------------------
def test_discovery_documents(scim):
    config = scim.get("/ServiceProviderConfig")
    assert config.status_code == 200 and config["Content-Type"] == "application/scim+json"
    assert config.json()["patch"] == {"supported": True}
    assert {r["name"] for r in scim.get("/ResourceTypes").json()["Resources"]} == {"User", "Group"}
    assert scim.get("/ResourceTypes/User").json()["endpoint"] == "/Users"
    assert scim.get(f"/Schemas/{ENTERPRISE}").json()["id"] == ENTERPRISE
    assert scim.get("/Schemas/urn:nope").status_code == 404


@pytest.mark.parametrize("method,path,body,status,scim_type", [
    ("POST", "/Users", "{not json", 400, "invalidSyntax"),
    ("POST", "/Users", {"schemas": []}, 400, "invalidValue"),
    ("GET", "/Users?filter=userName%20eq", None, 400, "invalidFilter"),
    ("GET", "/Users?filter=externalId%20eq%20jyoung", None, 400, "invalidFilter"),
    ("GET", "/Users?startIndex=abc", None, 400, "invalidValue"),
    ("PATCH", f"/Users/{uuid.uuid4()}", patch_op({"op": "replace", "path": "active", "value": False}), 404, None),
    ("GET", "/Users/not-a-uuid", None, 404, None),
    ("DELETE", "/Users", None, 405, None),
    ("PUT", "/ServiceProviderConfig", {}, 405, None),
    ("GET", "/Bulk", None, 404, None),
])
def test_errors_are_scim_error_objects(scim, method, path, body, status, scim_type):
    response = scim.send(method, path, body) if method != "GET" else scim.http.get(
        "/scim/v2" + path, HTTP_AUTHORIZATION=f"Bearer {scim.token}")
    assert response.status_code == status
    document = response.json()
    assert document["schemas"] == [ERROR] and document["status"] == str(status) and document["detail"]
    assert document.get("scimType") == scim_type


def test_no_token_is_401(organization, client):
    response = client.get("/scim/v2/Users")
    assert response.status_code == 401 and response.json()["schemas"] == [ERROR]


def test_a_browser_session_does_not_authorize(admin_client):
    assert admin_client.get("/scim/v2/Users").status_code == 401


@pytest.mark.usefixtures("fresh_cache")
def test_the_rate_limit_answers_429_with_retry_after(scim, settings):
    settings.SCIM_RATE_LIMIT = 3
    statuses = [scim.get("/Users").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = scim.get("/Users")
    assert response["Retry-After"] == "60" and response.json()["status"] == "429"


def test_a_body_over_the_size_limit_is_413_and_changes_nothing(scim, settings):
    settings.JSON_BODY_MAX_BYTES = 2000
    response = scim.post("/Users", scim_user("big@contoso.example", title="x" * 3000))
    assert response.status_code == 413 and response.json()["schemas"] == [ERROR]
    assert not Extension.objects.exists()


def test_switched_to_graph_pull_requests_are_refused_and_nothing_is_deleted(scim, organization):
    created = scim.post("/Users", scim_user("alex@contoso.example")).json()
    provisioning_mode_choose(organization=organization, mode=GRAPH, actor=None)
    assert scim.get("/Users").status_code == 403
    assert extension_of(created["id"]).status == "active"


# -- Users -------------------------------------------------------------------------------------------------------
def test_create_maps_to_an_extension_with_the_next_number(scim, organization):
    make_extension(organization, number="1000", display_name="Reception")
    body = scim_user("alex@contoso.example", title="Sales rep", displayName="Alex Wilber",
                     phoneNumbers=[{"type": "mobile", "value": "+41 79 123 45 67"}],
                     **{ENTERPRISE: {"department": "Sales", "employeeNumber": "4711"}})
    response = scim.post("/Users", body)
    assert response.status_code == 201
    created = response.json()
    assert response["Location"] == created["meta"]["location"] and created["meta"]["resourceType"] == "User"
    extension = extension_of(created["id"])
    assert (extension.number, extension.display_name, extension.first_name, extension.last_name) == \
        ("1001", "Alex Wilber", "Alex", "Wilber")
    assert (extension.email, extension.job_title, extension.department, extension.entra_upn) == \
        ("alex@contoso.example", "Sales rep", "Sales", "alex@contoso.example")
    assert extension.mobile_phone == "+41791234567" and extension.source == "entra"
    event = SyncEvent.objects.get(subject_id=created["id"])
    assert event.action == "created" and event.run.trigger == SyncRun.Trigger.SCIM
    assert "POST /Users" in event.reason


def test_a_taken_username_is_409_uniqueness(scim):
    scim.post("/Users", scim_user("alex@contoso.example"))
    response = scim.post("/Users", scim_user("ALEX@contoso.example"))
    assert response.status_code == 409 and response.json()["scimType"] == "uniqueness"
    assert Extension.objects.count() == 1


def test_list_filters_and_pages(scim):
    ids = [scim.post("/Users", scim_user(f"u{i}@contoso.example", externalId=f"ext{i}")).json()["id"]
           for i in range(5)]
    by_name = scim.get("/Users", {"filter": 'userName eq "U3@contoso.example"'}).json()
    assert by_name["totalResults"] == 1 and by_name["Resources"][0]["id"] == ids[3]
    assert scim.get("/Users", {"filter": 'externalId eq "ext1"'}).json()["Resources"][0]["id"] == ids[1]
    assert scim.get("/Users", {"filter": 'externalId eq "EXT1"'}).json()["totalResults"] == 0  # caseExact
    both = scim.get("/Users", {"filter": 'userName eq "u2@contoso.example" and externalId eq "ext2"'}).json()
    assert [r["id"] for r in both["Resources"]] == [ids[2]]
    by_email = scim.get("/Users", {"filter": 'emails[type eq "work"].value eq "u4@contoso.example"'}).json()
    assert [r["id"] for r in by_email["Resources"]] == [ids[4]]
    page = scim.get("/Users", {"startIndex": 2, "count": 2}).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    assert [r["id"] for r in page["Resources"]] == ids[1:3]
    assert scim.get("/Users", {"count": 0}).json()["Resources"] == []
    only = scim.get(f"/Users/{ids[0]}", {"attributes": "userName"}).json()
    assert set(only) == {"id", "schemas", "userName"}


def test_put_replaces_and_patch_updates_the_extension(scim):
    created = scim.post("/Users", scim_user("alex@contoso.example")).json()
    replaced = scim.put(f"/Users/{created['id']}", scim_user("alex@contoso.example", title="Manager",
                                                              name={"givenName": "Alexandra", "familyName": "W"}))
    assert replaced.status_code == 200 and replaced.json()["title"] == "Manager"
    assert (extension_of(created["id"]).first_name, extension_of(created["id"]).job_title) == ("Alexandra", "Manager")
    patched = scim.patch(f"/Users/{created['id']}", patch_op(
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Support"},
        {"op": "Add", "path": 'phoneNumbers[type eq "work"].value', "value": "+41 44 668 18 00"}))
    assert patched.status_code == 200
    extension = extension_of(created["id"])
    assert (extension.department, extension.business_phone) == ("Support", "+41446681800")
    assert extension.number == "1000"  # a user keeps their number
    updates = SyncEvent.objects.filter(subject_id=created["id"], action="updated")
    assert updates.count() == 2 and "PATCH /Users/" in updates.last().reason


def test_a_patch_that_changes_nothing_logs_nothing(scim):
    created = scim.post("/Users", scim_user("alex@contoso.example")).json()
    before = SyncEvent.objects.count()
    response = scim.patch(f"/Users/{created['id']}", patch_op({"op": "replace", "path": "active", "value": True}))
    assert response.status_code == 200 and SyncEvent.objects.count() == before


@pytest.mark.parametrize("policy,state", [("remove", "removed"), ("keep", "synced")])
def test_active_false_disables_the_extension(scim, organization, policy, state):
    settings = user_sync_settings_for(organization)
    settings.disabled_accounts = policy
    settings.save()
    created = scim.post("/Users", scim_user("alex@contoso.example")).json()
    scim.patch(f"/Users/{created['id']}", patch_op({"op": "Replace", "path": "active", "value": "False"}))
    extension = extension_of(created["id"])
    assert (extension.status, extension.sync_state) == ("disabled", state)
    scim.patch(f"/Users/{created['id']}", patch_op({"op": "replace", "path": "active", "value": True}))
    extension.refresh_from_db()
    assert (extension.status, extension.number) == ("active", "1000")
    assert SyncEvent.objects.filter(subject_id=created["id"], action="restored").exists()


def test_delete_disables_then_the_grace_period_deletes_and_the_number_is_retained(scim, organization):
    created = scim.post("/Users", scim_user("alex@contoso.example", externalId=str(uuid.uuid4()))).json()
    assert scim.delete(f"/Users/{created['id']}").status_code == 204
    assert scim.get(f"/Users/{created['id']}").status_code == 404
    extension = extension_of(created["id"])
    assert (extension.status, extension.sync_state) == ("disabled", "removed")
    Extension.objects.filter(pk=extension.pk).update(removed_at=timezone.now() - timedelta(days=31))
    scim.post("/Users", scim_user("someone@contoso.example"))  # any later request applies the grace period
    assert not Extension.objects.filter(pk=extension.pk).exists()
    assert RetainedNumber.objects.get(entra_object_id=created["id"]).number == "1000"
    again = scim.post("/Users", scim_user("alex@contoso.example", externalId=created["externalId"])).json()
    assert again["id"] == created["id"] and extension_of(again["id"]).number == "1000"


def test_an_extension_synced_from_graph_is_adopted_with_its_number(scim, organization):
    oid = uuid.uuid4()
    make_extension(organization, number="2345", display_name="Alex", source="entra", entra_object_id=oid,
                   entra_upn="alex@contoso.example", sync_state="synced")
    created = scim.post("/Users", scim_user("Alex@contoso.example")).json()
    assert created["id"] == str(oid)
    assert Extension.objects.get().number == "2345"
    assert SyncEvent.objects.filter(subject_id=str(oid), action="info").exists()


def test_a_manual_extension_is_never_taken_over(scim, organization):
    oid = uuid.uuid4()
    make_extension(organization, number="3000", display_name="Desk phone", entra_object_id=oid)
    created = scim.post("/Users", scim_user("desk@contoso.example", externalId=str(oid))).json()
    assert Extension.objects.get(number="3000").source == "manual"
    assert SyncEvent.objects.get(subject_id=created["id"]).action == "skipped"


# -- Groups ------------------------------------------------------------------------------------------------------
def test_groups_become_extension_groups(scim):
    alex = scim.post("/Users", scim_user("alex@contoso.example")).json()["id"]
    bo = scim.post("/Users", scim_user("bo@contoso.example")).json()["id"]
    response = scim.post("/Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                     "displayName": "Sales", "members": [{"value": alex}]})
    assert response.status_code == 201
    group_id = response.json()["id"]
    group = ExtensionGroup.objects.get(entra_group_id=group_id)
    assert group.name == "Sales" and [e.entra_upn for e in group.members.all()] == ["alex@contoso.example"]
    assert scim.patch(f"/Groups/{group_id}", patch_op({"op": "Add", "path": "members",
                                                       "value": [{"value": bo}]})).status_code == 204
    assert group.members.count() == 2
    scim.patch(f"/Groups/{group_id}", patch_op({"op": "remove", "path": f'members[value eq "{alex}"]'}))
    assert [e.entra_upn for e in group.members.all()] == ["bo@contoso.example"]
    listed = scim.get("/Groups", {"filter": 'displayName eq "sales"', "excludedAttributes": "members"}).json()
    assert listed["totalResults"] == 1 and "members" not in listed["Resources"][0]
    unknown = scim.patch(f"/Groups/{group_id}", patch_op({"op": "add", "path": "members",
                                                          "value": [{"value": str(uuid.uuid4())}]}))
    assert unknown.status_code == 400 and unknown.json()["scimType"] == "invalidValue"
    scim.delete(f"/Users/{bo}")
    assert "members" not in scim.get(f"/Groups/{group_id}").json()
    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert not ExtensionGroup.objects.exists() and Extension.objects.count() == 2


# -- cost --------------------------------------------------------------------------------------------------------
def _queries_for_one_create_and_patch(scim, django_assert_max_num_queries, index, limit):
    with django_assert_max_num_queries(limit):
        created = scim.post("/Users", scim_user(f"q{index}@contoso.example")).json()
    with django_assert_max_num_queries(limit):
        scim.patch(f"/Users/{created['id']}", patch_op({"op": "replace", "path": "title", "value": "x"}))


def test_queries_per_request_do_not_grow_with_the_organization(scim, django_assert_max_num_queries):
    for i in range(3):
        scim.post("/Users", scim_user(f"warm{i}@contoso.example"))
    _queries_for_one_create_and_patch(scim, django_assert_max_num_queries, 1, 25)
    for i in range(40):
        scim.post("/Users", scim_user(f"more{i}@contoso.example"))
    _queries_for_one_create_and_patch(scim, django_assert_max_num_queries, 2, 25)


def test_search_by_post(scim):
    ids = [scim.post("/Users", scim_user(f"s{i}@contoso.example")).json()["id"] for i in range(3)]
    found = scim.post("/Users/.search", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                                         "filter": 'userName eq "s1@contoso.example"', "attributes": ["userName"]})
    assert found.status_code == 200
    assert [(r["id"], set(r)) for r in found.json()["Resources"]] == [(ids[1], {"id", "schemas", "userName"})]
    assert scim.post("/Users/.search", {"count": 1}).json()["itemsPerPage"] == 1
    assert scim.post("/Users/.search", {"filter": ["x"]}).status_code == 400
    assert scim.post("/.search", {}).status_code == 501


def test_the_daily_task_applies_the_grace_period_without_any_request(scim, organization):
    from django.core.management import call_command

    from integrations.scim.tasks import grace_period

    created = scim.post("/Users", scim_user("alex@contoso.example")).json()
    scim.delete(f"/Users/{created['id']}")
    assert grace_period() == {}
    Extension.objects.filter(entra_object_id=created["id"]).update(removed_at=timezone.now() - timedelta(days=31))
    call_command("scim_grace_period")
    assert not Extension.objects.filter(entra_object_id=created["id"]).exists()
    assert SyncEvent.objects.filter(subject_id=created["id"], action="deleted").exists()


def test_a_tenant_url_joined_with_its_trailing_slash_works(scim):
    response = scim.http.get("/scim/v2//Users", {"filter": 'userName eq "x"'},
                             HTTP_AUTHORIZATION=f"Bearer {scim.token}")
    assert response.status_code == 200 and response.json()["totalResults"] == 0
