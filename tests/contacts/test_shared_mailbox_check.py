"""Collaboration: newly chosen shared mailboxes are checked with Microsoft Graph in a worker before they are saved.

A refused choice is never saved: the previous contact settings stay in effect, the page shows Graph's reason as
the form's error and keeps the typed choice; an accepted one is saved as if the admin had just pressed Save."""

import json
from unittest import mock

import pytest
import responses
from django.core.cache import cache
from django.urls import reverse

from contacts.models import ContactSettings, SharedMailbox
from contacts.settings_check import contact_settings_check
from integrations.connection_client import graph_endpoints
from integrations.graph import clear_clients
from integrations.models import EntraConnection
from integrations.sync.models import SyncRun
from organizations.models import AuditEntry
from tests.helpers.connection_check import GRAPH
from tests.helpers.factories import make_admin
from tests.helpers.graph_mock import mock_entra
from tests.helpers.graph_payloads import CLIENT, INSTANCE_DISCOVERY, SECRET, TENANT, load

pytestmark = pytest.mark.django_db
SETTINGS_URL = "/integrations/collaboration/contacts/"
PAGE = "/integrations/collaboration/"
RECEPTION_ID = "5d7c1a2e-0000-4000-8000-000000000001"
RECEPTION = {"id": RECEPTION_ID, "name": "Reception", "address": "reception@contoso.com", "all_folders": False,
             "folders": [{"id": "AAMkSuppliers=", "name": "Suppliers"}]}
SALES = {"id": "5d7c1a2e-0000-4000-8000-000000000002", "name": "Sales desk", "address": "sales@contoso.com",
         "all_folders": True, "folders": []}


@pytest.fixture(autouse=True)
def fresh():
    clear_clients()
    cache.clear()
    yield
    clear_clients()
    cache.clear()


@pytest.fixture
def connection(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id=TENANT, client_id=CLIENT,
                                          client_secret=SECRET, status=EntraConnection.Status.CONNECTED)


def error(status, code, message):
    return {"status": status, "headers": {"Content-Type": "application/json"},
            "body": {"error": {"code": code, "message": message}}}


class Graph:
    """$batch answers by sub-request URL: 200 unless `refuse` names a status for a URL fragment."""

    def __init__(self, rsps):
        self.refuse: dict[str, dict] = {}
        self.asked: list[str] = []
        mock_entra(rsps, graph_endpoints(), TENANT, CLIENT)
        rsps.add_callback("POST", f"{GRAPH}/$batch", callback=self.answer)

    def answer(self, request):
        out = []
        for sub in json.loads(request.body)["requests"]:
            self.asked.append(sub["url"])
            refusal = next((r for fragment, r in self.refuse.items() if fragment in sub["url"]), None)
            out.append({"id": sub["id"], **(refusal or {"status": 200, "headers": {}, "body": {"value": []}})})
        return 200, {"Content-Type": "application/json"}, json.dumps({"responses": out})


@pytest.fixture
def graph():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
        yield Graph(rsps)


@pytest.fixture
def post(admin_client, django_capture_on_commit_callbacks):
    """POST the contact settings; the queued check runs in-process as a worker would (captured, then run)."""
    def send(*mailboxes, personal=True, shared=True):
        data = {"shared_mailboxes": json.dumps(list(mailboxes))}
        data.update({"personal_enabled": "on"} if personal else {})
        data.update({"shared_enabled": "on"} if shared else {})
        with mock.patch("contacts.tasks.check_settings.delay") as check, \
                mock.patch("integrations.sync.tasks.run_sync.delay"), \
                django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(SETTINGS_URL, data)
        return response, check
    return send


def saved(organization):
    settings = ContactSettings.objects.filter(organization=organization).first()
    return (bool(settings and settings.personal_enabled), bool(settings and settings.shared_enabled),
            sorted(SharedMailbox.objects.filter(organization=organization).values_list("mailbox_id", flat=True)))


def test_a_new_mailbox_is_held_until_graph_accepts_it_then_saved(post, graph, organization, connection):
    response, check = post(RECEPTION)
    assert response.status_code == 302
    check.assert_called_once_with(organization.pk)
    assert saved(organization) == (False, False, [])  # held: the previous (empty) settings stay in effect
    held = ContactSettings.objects.get(organization=organization).pending_change
    assert held["status"] == "pending" and held["checks"] == [RECEPTION_ID]

    with mock.patch("integrations.sync.tasks.run_sync.delay"):
        assert contact_settings_check(organization)["status"] == "saved"
    assert saved(organization) == (True, True, [RECEPTION_ID])
    assert ContactSettings.objects.get(organization=organization).pending_change == {}
    assert any(f"/users/{RECEPTION_ID}/contactFolders?" in url for url in graph.asked)
    assert any(f"/users/{RECEPTION_ID}/contactFolders/AAMkSuppliers%3D?" in url for url in graph.asked)
    entry = AuditEntry.objects.get(organization=organization, action="contacts.settings_changed")
    assert entry.actor is not None and "Suppliers" in entry.changes["shared_mailboxes"][1]
    assert SyncRun.objects.filter(organization=organization, kind="contacts").count() == 1


def test_a_mailbox_deleted_since_it_was_picked_is_refused_and_nothing_is_saved(post, graph, organization, connection,
                                                                              admin_client):
    graph.refuse[f"/users/{SALES['id']}/"] = error(404, "ErrorInvalidUser",
                                                   f"The requested user '{SALES['id']}' is invalid.")
    post(RECEPTION)
    contact_settings_check(organization)  # Reception is saved
    post(RECEPTION, SALES, personal=False)
    assert contact_settings_check(organization)["status"] == "refused"
    assert saved(organization) == (True, True, [RECEPTION_ID])  # the previous settings stay, personal still on
    assert AuditEntry.objects.filter(action="contacts.settings_changed").count() == 1
    page = admin_client.get(PAGE).content.decode()
    assert "The mailbox “Sales desk” no longer exists in Microsoft Entra ID" in page
    assert "ErrorInvalidUser" in page and "Microsoft Graph refused the chosen shared mailboxes" in page
    assert "Discard these changes" in page
    # The typed choice is kept for editing: the picker's hidden field holds both mailboxes, personal stays unticked.
    assert SALES["id"] in page and 'id="id_personal_enabled" checked' not in page
    assert 'id="id_shared_enabled" checked' in page


def test_only_new_or_changed_mailboxes_are_asked_about(post, graph, organization, connection):
    post(RECEPTION)
    contact_settings_check(organization)
    graph.asked.clear()
    _, check = post(RECEPTION, personal=False)  # only the personal switch changes: saved at once
    check.assert_not_called()
    assert saved(organization) == (False, True, [RECEPTION_ID]) and graph.asked == []
    post(RECEPTION, SALES, personal=False)
    contact_settings_check(organization)
    assert graph.asked and all(SALES["id"] in url for url in graph.asked)
    assert saved(organization) == (False, True, sorted([RECEPTION_ID, SALES["id"]]))


def test_removing_a_mailbox_or_switching_shared_off_needs_no_check(post, graph, organization, connection):
    post(RECEPTION, SALES)
    contact_settings_check(organization)
    _, check = post(SALES)
    check.assert_not_called()
    assert saved(organization) == (True, True, [SALES["id"]])
    _, check = post(SALES, shared=False)
    check.assert_not_called()
    assert saved(organization) == (True, False, [SALES["id"]])


@pytest.mark.parametrize("refusal, words", [
    (error(404, "ErrorItemNotFound", "The specified object was not found in the store."),
     "The folder “Suppliers” of “Reception” no longer exists"),
    (error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."),
     "The app needs the application permission Contacts.Read with admin consent"),
    (error(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted "
                                               "on-premise."), "has no Exchange Online mailbox"),
])
def test_graph_refusals_name_the_cause_and_the_fix(post, graph, organization, connection, refusal, words):
    graph.refuse["AAMkSuppliers" if "Item" in refusal["body"]["error"]["code"] else RECEPTION_ID] = refusal
    post(RECEPTION)
    outcome = contact_settings_check(organization)
    assert outcome["status"] == "refused" and words in outcome["message"] and "Nothing was saved" in outcome["message"]
    assert saved(organization) == (False, False, [])


def test_not_connected_is_a_refusal_not_a_save(post, organization):
    post(RECEPTION)
    outcome = contact_settings_check(organization)
    assert outcome["status"] == "refused" and "not connected" in outcome["message"]
    assert saved(organization) == (False, False, [])


def test_a_newer_save_supersedes_the_check_and_discard_restores_the_saved_form(post, graph, organization, connection,
                                                                              admin_client):
    post(RECEPTION)
    first = ContactSettings.objects.get(organization=organization).pending_change
    post(SALES)
    second = ContactSettings.objects.get(organization=organization).pending_change
    assert second["checks"] == [SALES["id"]] and second["requested_at"] >= first["requested_at"]
    status = admin_client.get(reverse("contacts:pending_status")).json()
    assert status == {"pending_change": {"status": "pending", "field": None, "message": None}}
    page = admin_client.get(PAGE).content.decode()
    assert "Microsoft Graph is checking the chosen shared mailboxes" in page and SALES["id"] in page
    response = admin_client.post(reverse("contacts:pending_discard"))
    assert response.status_code == 302
    assert ContactSettings.objects.get(organization=organization).pending_change == {}
    assert contact_settings_check(organization)["status"] == "nothing"
    assert saved(organization) == (False, False, [])
    assert SALES["id"] not in admin_client.get(PAGE).content.decode()


def test_another_organizations_held_change_is_invisible(post, organization, connection, client, other_organization):
    post(RECEPTION)
    other_admin = make_admin(other_organization, username="other-admin")
    client.force_login(other_admin)
    assert client.get(reverse("contacts:pending_status")).json()["pending_change"]["status"] is None
    assert RECEPTION_ID not in client.get(PAGE).content.decode()
