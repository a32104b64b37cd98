"""Integrations > Collaboration > Outlook contacts: settings, picker requests, mailbox status, isolation."""

import json
from unittest import mock

import pytest
import responses
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from contacts.models import ContactSettings, MailboxSyncState, PickerRequest, SharedMailbox
from contacts.tasks import check_settings
from integrations.models import EntraConnection
from integrations.sync.models import SyncRun
from organizations.models import AuditEntry
from pbx_portal.times import local_text

pytestmark = pytest.mark.django_db
SETTINGS_URL = "/integrations/collaboration/contacts/"
PICKER_URL = "/integrations/collaboration/contacts/picker/"
RECEPTION = {"id": "5d7c1a2e-0000-4000-8000-000000000001", "name": "Reception", "address": "reception@contoso.com",
             "all_folders": False, "folders": [{"id": "AAMkFolder=", "name": "Suppliers"}]}


@pytest.fixture
def connection(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com",
                                          client_id="00001111-aaaa-2222-bbbb-3333cccc4444", client_secret="s" * 40,
                                          status=EntraConnection.Status.CONNECTED)


def test_page_shows_the_section_with_both_switches(admin_client, connection):
    page = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert "Microsoft Outlook Contacts Synchronization" in page
    assert "Shared Mailbox Contacts Synchronization" in page
    assert "Microsoft Teams presence" in page  # the rest of the page is untouched
    assert "<script>" not in page and 'style="' not in page


def test_save_switches_and_mailboxes_audits_sets_feature_and_queues_a_run(admin_client, organization, connection,
                                                                          django_capture_on_commit_callbacks):
    with mock.patch("integrations.sync.tasks.run_sync.delay") as delay, \
            mock.patch("contacts.tasks.check_settings.delay", side_effect=check_settings), \
            mock.patch("contacts.settings_check.mailbox_refusal", return_value=None) as graph_check, \
            django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(SETTINGS_URL, {"personal_enabled": "on", "shared_enabled": "on",
                                                    "shared_mailboxes": json.dumps([RECEPTION])})
    assert response.status_code == 302
    assert graph_check.call_args.args[1] == [RECEPTION]  # the new mailbox was checked with Graph first
    settings = ContactSettings.objects.get(organization=organization)
    assert settings.personal_enabled and settings.shared_enabled
    mailbox = SharedMailbox.objects.get(organization=organization)
    assert (mailbox.mailbox_id, mailbox.all_folders, mailbox.folder_ids) == (RECEPTION["id"], False, ["AAMkFolder="])
    connection.refresh_from_db()
    assert connection.feature_contacts is True
    entry = AuditEntry.objects.get(organization=organization, action="contacts.settings_changed")
    assert entry.changes["shared_enabled"] == [False, True] and "Suppliers" in entry.changes["shared_mailboxes"][1]
    run = SyncRun.objects.get(organization=organization, kind="contacts")
    delay.assert_called_once_with(run.pk)
    # The admin saved settings, not Sync Now: the log says what started the run, and so does the page.
    assert (run.trigger, run.get_trigger_display()) == ("settings", "Settings saved")
    # Switching both off removes the feature (and the schedule's reason to run).
    admin_client.post(SETTINGS_URL, {"shared_mailboxes": "[]"})
    connection.refresh_from_db()
    assert connection.feature_contacts is False and not SharedMailbox.objects.exists()


@pytest.mark.parametrize("mailboxes, message", [
    ("not json", "could not be read"),
    (json.dumps([{"id": "../../etc"}]), "not valid"),
    (json.dumps([{**RECEPTION, "folders": []}]), "Choose at least one folder"),
    ("[]", "Pick at least one shared mailbox"),
])
def test_bad_input_is_refused_and_changes_nothing(admin_client, organization, connection, mailboxes, message):
    response = admin_client.post(SETTINGS_URL, {"shared_enabled": "on", "shared_mailboxes": mailboxes})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ContactSettings.objects.filter(organization=organization).exists()
    assert not SharedMailbox.objects.exists()


def test_picker_request_is_queued_and_polled(admin_client, organization, django_capture_on_commit_callbacks):
    with mock.patch("contacts.tasks.picker_run.delay") as delay, django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(PICKER_URL, {"action": "search", "query": "rec"})
    assert response.status_code == 202
    picker = PickerRequest.objects.get(organization=organization)
    delay.assert_called_once_with(picker.pk)
    assert admin_client.get(response.json()["poll"]).json()["status"] == "pending"
    PickerRequest.objects.filter(pk=picker.pk).update(status="done", results=[{"id": "x", "name": "Reception"}])
    assert admin_client.get(response.json()["poll"]).json()["results"] == [{"id": "x", "name": "Reception"}]


@pytest.mark.parametrize("data", [{"action": "search", "query": ""}, {"action": "folders", "query": "a/b"},
                                  {"action": "delete", "query": "x"}])
def test_picker_refuses_bad_input(admin_client, data):
    response = admin_client.post(PICKER_URL, data)
    assert response.status_code == 400 and response.json()["error"]
    assert not PickerRequest.objects.exists()


def test_other_organizations_data_answers_404(admin_client, other_organization):
    theirs = PickerRequest.objects.create(organization=other_organization, action="search", query="x")
    assert admin_client.get(f"{PICKER_URL}{theirs.pk}/").status_code == 404
    MailboxSyncState.objects.create(organization=other_organization, kind="shared", mailbox_id="m",
                                    display_name="Their Secret Mailbox")
    assert "Their Secret Mailbox" not in admin_client.get(reverse("contacts:mailboxes")).content.decode()


def test_mailbox_status_page(admin_client, organization):
    MailboxSyncState.objects.create(organization=organization, kind="personal", mailbox_id="a", display_name="Bob",
                                    status="denied", last_error="Exchange refused access (HTTP 403)")
    MailboxSyncState.objects.create(organization=organization, kind="shared", mailbox_id="b",
                                    display_name="Reception", status="ok", contact_count=30, folder_count=2)
    page = admin_client.get(reverse("contacts:mailboxes")).content.decode()
    assert "Exchange refused access (HTTP 403)" in page and "Reception" in page and "Access denied" in page
    problems = admin_client.get(reverse("contacts:mailboxes") + "?show=problems").content.decode()
    assert "Bob" in problems and "Reception" not in problems


def test_missing_permission_is_named(admin_client, organization, connection):
    connection.last_test_results = [{"key": "permission:Contacts.Read", "label": "Permission Contacts.Read",
                                     "status": "fail", "message": "Contacts.Read is not granted.", "fix": "Add it."}]
    connection.last_tested_at = timezone.now()
    connection.save()
    page = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert "Contacts.Read is missing" in page and "Contacts.Read is not granted." in page
    assert "by Test Connection" in page


def test_the_permission_banner_says_when_it_was_checked_and_goes_when_a_later_run_finds_it_granted(
        admin_client, organization, connection):
    from integrations.sync.models import SyncRun

    earlier = timezone.now() - timezone.timedelta(hours=2)
    SyncRun.objects.create(organization=organization, kind="contacts", trigger="schedule", status="failed",
                           finished_at=earlier, error="Contacts.Read is missing: grant it and consent.")
    page = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert "Contacts.Read is missing" in page and "by contacts sync run" in page
    connection.last_test_results = [{"key": "permission:Contacts.Read", "status": "ok", "message": "Granted."}]
    connection.last_tested_at = timezone.now() - timezone.timedelta(hours=1)
    connection.save()
    assert "Contacts.Read is missing" not in admin_client.get(reverse("integrations:collaboration")).content.decode()
    connection.last_test_results = [{"key": "permission:Contacts.Read", "status": "fail", "message": "Not granted."}]
    connection.last_tested_at = earlier - timezone.timedelta(hours=1)
    connection.save()
    SyncRun.objects.create(organization=organization, kind="contacts", trigger="schedule", status="succeeded",
                           finished_at=timezone.now())
    assert "Contacts.Read is missing" not in admin_client.get(reverse("integrations:collaboration")).content.decode()


def test_views_need_sign_in(client):
    assert client.post(SETTINGS_URL, {}).status_code == 302
    assert client.get(reverse("contacts:mailboxes")).status_code == 302


def test_collaboration_has_sync_now_for_contacts_with_live_status(admin_client, organization, connection,
                                                                  django_capture_on_commit_callbacks):
    from integrations.sync.models import SyncRun

    page = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert 'action="/integrations/collaboration/contacts/sync-now/"' in page and "js/sync.js" in page
    refused = admin_client.post("/integrations/collaboration/contacts/sync-now/", HTTP_ACCEPT="application/json")
    assert refused.status_code == 409 and "switched off" in refused.json()["error"]
    EntraConnection.objects.filter(pk=connection.pk).update(feature_contacts=True)
    with mock.patch("integrations.sync.tasks.run_sync.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True), responses.RequestsMock():
        started = admin_client.post("/integrations/collaboration/contacts/sync-now/", HTTP_ACCEPT="application/json")
    assert started.status_code == 202
    run = SyncRun.objects.get(kind="contacts")
    assert started.json()["id"] == run.pk and run.trigger == "manual" and delay.call_args.args == (run.pk,)
    page = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert f'/integrations/sync/runs/{run.pk}/progress.json' in page and "Contacts created" in page


def test_a_refused_contacts_sync_now_from_a_plain_form_shows_the_reason_on_collaboration(admin_client, connection):
    response = admin_client.post("/integrations/collaboration/contacts/sync-now/")
    assert (response.status_code, response.url) == (302, reverse("integrations:collaboration"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Outlook contacts synchronization is switched off."]
    assert not SyncRun.objects.exists()


def test_contacts_sync_now_from_a_plain_form_says_what_user_sync_now_says(admin_client, connection,
                                                                          django_capture_on_commit_callbacks):
    """Started: the run's log page with "Contacts sync started."; clicked again while it runs: that run is shown, with
    the time it started, as User Synchronization's Sync Now does."""
    EntraConnection.objects.filter(pk=connection.pk).update(feature_contacts=True)
    with mock.patch("integrations.sync.tasks.run_sync.delay"), django_capture_on_commit_callbacks(execute=True):
        first = admin_client.post("/integrations/collaboration/contacts/sync-now/")
        run = SyncRun.objects.get(kind="contacts")
        assert (first.status_code, first.url) == (302, f"/integrations/sync/runs/{run.pk}/")
        assert [str(m) for m in get_messages(first.wsgi_request)] == ["Contacts sync started."]
        admin_client.get(first.url)  # the banner is shown once
        again = admin_client.post("/integrations/collaboration/contacts/sync-now/")
    assert (again.status_code, again.url) == (302, f"/integrations/sync/runs/{run.pk}/")
    assert [str(m) for m in get_messages(again.wsgi_request)] == [
        f"A sync is already running (started {local_text(run.created_at, '%H:%M')}): showing it."]
    assert SyncRun.objects.filter(kind="contacts").count() == 1


def test_the_mailbox_status_page_agrees_with_the_switches(admin_client, organization):
    """A mailbox whose kind is switched off on Collaboration is not read: the page must not call it In sync."""
    EntraConnection.objects.create(organization=organization, tenant_id="t", client_id="c", client_secret="s",
                                   feature_contacts=True)
    ContactSettings.objects.create(organization=organization, personal_enabled=False, shared_enabled=True)
    MailboxSyncState.objects.create(organization=organization, kind="personal", mailbox_id="a", display_name="Bob",
                                    status="ok")
    MailboxSyncState.objects.create(organization=organization, kind="shared", mailbox_id="b",
                                    display_name="Reception", status="ok")
    page = admin_client.get(reverse("contacts:mailboxes")).content.decode()
    bob, reception = page.split('data-mailbox="a"')[1].split("</tr>")[0], page.split('data-mailbox="b"')[1]
    assert "Switched off" in bob and "badge-ok" not in bob
    assert "In sync" in reception.split("</tr>")[0] and "Switched off" not in reception.split("</tr>")[0]
    assert "Personal contacts synchronization is switched off" in page


def test_saving_a_switch_on_says_a_contacts_sync_started(admin_client, organization, connection,
                                                        django_capture_on_commit_callbacks):
    with mock.patch("integrations.sync.tasks.run_sync.delay"), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(SETTINGS_URL, {"personal_enabled": "on", "shared_mailboxes": "[]"}, follow=True)
    assert "Contact synchronization settings saved. A contacts sync started" in response.content.decode()
    assert SyncRun.objects.get(organization=organization, kind="contacts").trigger == "settings"
    with mock.patch("integrations.sync.tasks.run_sync.delay"):
        response = admin_client.post(SETTINGS_URL, {"personal_enabled": "on", "shared_mailboxes": "[]"}, follow=True)
    assert "A contacts sync started" not in response.content.decode()  # nothing changed: no run, none said
