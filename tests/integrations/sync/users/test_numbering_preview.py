"""Numbering preview: the first users in scope with the number the unsaved values would give them, or why not;
read by a worker with the run's own rules; nothing saved; another organization cannot read it."""

import pytest
import responses

from extensions.models import Extension, RetainedNumber
from integrations.connection_client import graph_endpoints
from integrations.models import EntraConnection
from integrations.sync.users.models import UserSyncSettings
from integrations.sync.users.numbering_preview import numbering_preview_result, numbering_preview_run
from organizations.models import AuditEntry
from tests.helpers.connection_check import GRAPH
from tests.helpers.factories import make_admin
from tests.helpers.graph_mock import mock_entra
from tests.helpers.graph_payloads import CLIENT, INSTANCE_DISCOVERY, SECRET, TENANT, load
from tests.helpers.user_sync import settings_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_graph_clients")]
PAGE = "/integrations/entra/user-sync/"
ATTRIBUTE = {"scope": "all", "include_guests": False, "disabled_accounts": "remove", "custom_filter": "",
             "groups": [], "numbering": "attribute", "range_start": 1000, "range_end": 8999, "reserved_numbers": "",
             "number_attribute": "businessPhones", "number_rule": "last_digits", "number_digits": 4}


@pytest.fixture
def connection(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id=TENANT, client_id=CLIENT,
                                          client_secret=SECRET, status=EntraConnection.Status.CONNECTED)


def graph_user(oid, name, phone=None, **extra):
    return {"id": oid, "displayName": name, "givenName": name.split()[0], "surname": name.split()[-1],
            "mail": f"{name.split()[0].lower()}@contoso.com",
            "userPrincipalName": f"{name.split()[0].lower()}@contoso.com", "accountEnabled": True,
            "userType": "Member", "jobTitle": "", "department": "", "mobilePhone": None,
            "businessPhones": [phone] if phone else [], "employeeId": None, **extra}


def oid(n):
    return f"00000000-0000-4000-8000-{n:012d}"


def users_page(rsps, users):
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT)
    rsps.add("GET", f"{GRAPH}/users", json={"@odata.context": f"{GRAPH}/$metadata#users", "value": users})


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
        yield mock


def test_each_user_gets_the_number_or_the_reason(rsps, connection, organization, extension_factory):
    extension_factory(number="2005", display_name="Reception")  # a manual extension holds 2005
    RetainedNumber.objects.create(organization=organization, entra_object_id=oid(99), number="3003",
                                  holder_name="Former employee")
    users_page(rsps, [
        graph_user(oid(1), "Adele Vance", "+1 425 555 0101"),
        graph_user(oid(2), "Alex Wilber"),  # no business phone
        graph_user(oid(3), "Diego Siciliani", "+1 425 555 2005"),  # taken by the manual extension
        graph_user(oid(4), "Grady Archie", "+1 425 555 0101"),  # the same number as Adele: a duplicate
        graph_user(oid(5), "Henrietta Mueller", "+1 425 555 3003"),  # retained for someone else
        graph_user(oid(6), "Isaiah Langer", "1234"),  # reserved in the unsaved values
        graph_user(oid(7), "Guest User", "+1 425 555 7777", userType="Guest"),  # out of scope: not listed
    ])
    answer = numbering_preview_run(organization, "p1", {**ATTRIBUTE, "reserved_numbers": "1234"})
    assert answer["status"] == "done" and answer["skipped"] == 1
    lines = {line["name"]: line for line in answer["users"]}
    assert list(lines) == ["Adele Vance", "Alex Wilber", "Diego Siciliani", "Grady Archie", "Henrietta Mueller",
                           "Isaiah Langer"]
    assert lines["Adele Vance"]["number"] == "" and "not a valid extension number" in lines["Adele Vance"]["reason"]
    assert lines["Alex Wilber"] == {"name": "Alex Wilber", "upn": "alex@contoso.com", "number": "", "value": "",
                                    "reason": "businessPhones is empty"}
    assert lines["Diego Siciliani"]["number"] == "" and "Reception" in lines["Diego Siciliani"]["reason"]
    assert lines["Henrietta Mueller"]["number"] == "" and "already assigned" in lines["Henrietta Mueller"]["reason"]
    assert lines["Isaiah Langer"]["number"] == "" and "reserved" in lines["Isaiah Langer"]["reason"]
    assert lines["Isaiah Langer"]["value"] == "1234"
    assert answer["without_number"] == 6 and answer["warning"].startswith("6 of these 6 users would get no extension")
    assert numbering_preview_result(organization)["id"] == "p1"


def test_duplicates_within_the_sample_are_reported(rsps, connection, organization):
    users_page(rsps, [graph_user(oid(1), "Adele Vance", "+1 425 555 4101"),
                      graph_user(oid(2), "Grady Archie", "+1 425 555 4101")])
    answer = numbering_preview_run(organization, "p2", ATTRIBUTE)
    first, second = answer["users"]
    assert first["number"] == "4101" and first["reason"] == ""
    assert second["number"] == "" and "4101 is already assigned to Adele Vance" in second["reason"]
    assert answer["warning"] == ""  # one of two is not "most"


def test_automatic_range_skips_reserved_and_taken(rsps, connection, organization, extension_factory):
    extension_factory(number="1000", display_name="Reception")
    users_page(rsps, [graph_user(oid(1), "Adele Vance"), graph_user(oid(2), "Alex Wilber"),
                      graph_user(oid(3), "Diego Siciliani")])
    answer = numbering_preview_run(organization, "p3", {**ATTRIBUTE, "numbering": "auto", "range_start": 1000,
                                                        "range_end": 1003, "reserved_numbers": "1001-1002"})
    numbers = [line["number"] for line in answer["users"]]
    assert numbers == ["1003", "", ""]
    assert "No free extension number left in the range 1000-1003" in answer["users"][1]["reason"]
    assert "range 1000-1003 has too few free numbers" in answer["warning"]


def test_a_graph_failure_is_an_answer_not_a_crash(rsps, connection, organization):
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT)
    rsps.add("GET", f"{GRAPH}/users", json=load("graph_error_403_authorization_request_denied.json"), status=403)
    answer = numbering_preview_run(organization, "p4", ATTRIBUTE)
    assert answer["status"] == "error" and answer["message"]


def test_an_unaccepted_filter_is_not_read(rsps, connection, organization):
    answer = numbering_preview_run(organization, "p5", {**ATTRIBUTE, "scope": "filter",
                                                        "custom_filter": "department eq 'Sales'"})
    assert answer["status"] == "error" and "Preview under the filter" in answer["message"]


def test_the_page_queues_a_worker_saves_nothing_and_shows_the_answer(
        admin_client, client, connection, organization, other_organization, rsps, celery_eager,
        django_capture_on_commit_callbacks, extension_factory):
    settings = UserSyncSettings.objects.get_or_create(organization=organization)[0]
    before = {f.name: getattr(settings, f.name) for f in UserSyncSettings._meta.fields}
    users_page(rsps, [graph_user(oid(1), "Adele Vance", "+1 425 555 4101")])
    data = settings_form(enabled=None, numbering="attribute")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(PAGE + "numbering-preview/", data, HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    answer = admin_client.get(PAGE + "numbering-preview.json").json()
    assert answer["id"] == response.json()["id"] and answer["status"] == "done"
    assert answer["users"] == [{"name": "Adele Vance", "upn": "adele@contoso.com", "number": "4101", "reason": "",
                                "value": "+1 425 555 4101"}]
    settings.refresh_from_db()
    assert {f.name: getattr(settings, f.name) for f in UserSyncSettings._meta.fields} == before
    assert not Extension.objects.filter(organization=organization).exists()
    assert not AuditEntry.objects.filter(action="entra.user_sync_changed").exists()
    outsider = make_admin(other_organization, "fabrikam-admin")
    client.force_login(outsider)
    assert client.get(PAGE + "numbering-preview.json").json() == {"status": "none"}


def test_bad_values_are_refused_before_anything_is_queued(admin_client, connection, monkeypatch):
    queued = []
    monkeypatch.setattr("integrations.sync.users.tasks.numbering_preview.delay", lambda *a: queued.append(a))
    with responses.RequestsMock():  # the web request never calls Microsoft
        response = admin_client.post(PAGE + "numbering-preview/", {"numbering": "attribute", "number_digits": "1"},
                                     HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "number_digits" in response.json()["fields"] and queued == []
