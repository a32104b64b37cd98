"""The User Synchronization page, Sync Now, the sync log: validation, isolation, nothing waits on Microsoft."""

import pytest
import responses
from django.contrib.messages import get_messages

from integrations.models import EntraConnection
from integrations.sync.models import SyncEvent, SyncRun
from integrations.sync.users.models import UserSyncSettings
from organizations.models import AuditEntry
from tests.helpers.factories import make_admin
from tests.helpers.user_sync import settings_form

pytestmark = pytest.mark.django_db
PAGE = "/integrations/entra/user-sync/"


@pytest.fixture
def connected(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com",
                                          client_id="00001111-aaaa-2222-bbbb-3333cccc4444",
                                          client_secret="s3cret-value-0123456789abcdefghij", status="connected")


def test_page_shows_defaults_and_mapping(admin_client, connected):
    response = admin_client.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert "User Synchronization" in body and "Sync Now" in body and "Preview changes" in body
    assert "mail, falling back to userPrincipalName" in body
    settings = UserSyncSettings.objects.get(organization=connected.organization)
    assert (settings.scope, settings.include_guests, settings.disabled_accounts) == ("all", False, "remove")
    assert (settings.range_start, settings.range_end, settings.removal_grace_days) == (1000, 8999, 30)
    assert settings.removal_limit(100) == 10 and settings.removal_limit(10_000) == 50


def test_save_is_audited_with_labels_and_sets_the_schedule(admin_client, connected, admin_user):
    response = admin_client.post(PAGE, settings_form(interval_minutes="2", reserved_numbers="1000-1009, 1111",
                                            include_guests="on"))
    assert response.status_code == 302
    settings = UserSyncSettings.objects.get(organization=connected.organization)
    assert settings.include_guests and settings.reserved_numbers == "1000-1009, 1111"
    assert connected.organization.sync_schedules.get(kind="users").interval_seconds == 120
    entry = AuditEntry.objects.get(action="entra.user_sync_changed")
    assert entry.actor == admin_user and entry.changes["include_guests"] == [False, True]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"scope": "groups"}, "Choose at least one group"),
    ({"scope": "filter"}, "Enter the filter"),
    ({"range_start": "9000", "range_end": "100"}, "must end after it starts"),
    ({"range_start": "5"}, "2 to 10 digits"),
    ({"reserved_numbers": "12-ab"}, "is not a number or a range"),
    ({"number_digits": "1"}, "2 to 10 digits"),
    ({"removal_grace_days": ""}, "Never delete"),
    ({"interval_minutes": "0"}, "greater than or equal to 1"),
    ({"number_attribute": "password"}, "Choose one of the listed attributes"),
])
def test_bad_input_is_refused_and_changes_nothing(admin_client, connected, overrides, message):
    response = admin_client.post(PAGE, settings_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AuditEntry.objects.filter(action="entra.user_sync_changed").exists()


def test_filter_is_checked_by_a_task_not_the_request(admin_client, connected, django_capture_on_commit_callbacks,
                                                     monkeypatch):
    queued = []
    monkeypatch.setattr("integrations.sync.users.tasks.check_settings.delay", lambda *args: queued.append(args))
    with responses.RequestsMock():  # any HTTP call from the web request fails the test
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(PAGE, settings_form(scope="filter", custom_filter="department eq 'Sales'"))
    settings = UserSyncSettings.objects.get(organization=connected.organization)
    assert settings.scope == "all" and settings.custom_filter == ""  # held until Graph accepts it
    assert settings.pending_change["status"] == "pending" and settings.pending_change["checks"] == ["filter"]
    assert queued == [(connected.organization.pk,)]
    body = admin_client.get(PAGE).content.decode()
    assert "Nothing is saved until it accepts them" in body and "department eq &#x27;Sales&#x27;" in body


def test_sync_now_queues_a_task_and_answers_at_once(admin_client, connected, django_capture_on_commit_callbacks,
                                                    monkeypatch):
    queued = []
    monkeypatch.setattr("integrations.sync.tasks.run_sync.delay", queued.append)
    with responses.RequestsMock(), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(PAGE + "sync-now/", HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    run = SyncRun.objects.get()
    assert response.json()["id"] == run.pk and queued == [run.pk] and run.trigger == "manual"
    again = admin_client.post(PAGE + "sync-now/", HTTP_ACCEPT="application/json")
    assert again.json()["id"] == run.pk and again.json()["created"] is False
    progress = admin_client.get(f"/integrations/sync/runs/{run.pk}/progress.json").json()
    assert progress["status"] == "queued" and progress["active"]


def test_sync_now_refused_when_paused(admin_client, connected):
    EntraConnection.objects.filter(pk=connected.pk).update(syncs_paused=True, status_detail="secret expired")
    response = admin_client.post(PAGE + "sync-now/", HTTP_ACCEPT="application/json")
    assert response.status_code == 409 and "paused" in response.json()["error"]
    assert not SyncRun.objects.exists()


def test_refusals_answer_the_pages_script_with_json_and_a_plain_form_with_a_banner(admin_client, connected):
    """Sync Now and Sync this user refuse alike when syncs are paused: 409 {"error": reason} to a script,
    the reason as an error banner on the settings page to a plain form. Nothing starts."""
    EntraConnection.objects.filter(pk=connected.pk).update(syncs_paused=True, status_detail="secret expired")
    reason = "Syncs are paused because the credential was rejected: secret expired"
    for url, data in ((PAGE + "sync-now/", {}), (PAGE + "sync-user/", {"user": "alex@contoso.com"})):
        as_json = admin_client.post(url, data, HTTP_ACCEPT="application/json")
        assert (as_json.status_code, as_json.json()) == (409, {"error": reason}), url
        as_form = admin_client.post(url, data)
        assert (as_form.status_code, as_form.url) == (302, PAGE)
        assert [str(m) for m in get_messages(as_form.wsgi_request)] == [reason]
        admin_client.get(as_form.url)  # the page shows the banner once
    assert not SyncRun.objects.exists()


def test_an_empty_filter_preview_is_refused_with_400_or_a_banner(admin_client, connected):
    error = "Enter a filter to preview (at most 2,000 characters)."
    as_json = admin_client.post(PAGE + "filter-preview/", {"custom_filter": ""}, HTTP_ACCEPT="application/json")
    assert (as_json.status_code, as_json.json()) == (400, {"error": error})
    as_form = admin_client.post(PAGE + "filter-preview/", {"custom_filter": ""})
    assert (as_form.status_code, as_form.url) == (302, PAGE)
    assert [str(m) for m in get_messages(as_form.wsgi_request)] == [error]


def test_single_user_input_is_validated(admin_client, connected):
    response = admin_client.post(PAGE + "sync-user/", {"user": "not an address"}, follow=True)
    assert "Enter an e-mail address" in response.content.decode()
    response = admin_client.post(PAGE + "sync-user/", {"user": "alex@contoso.com\x00"}, follow=True)
    assert response.status_code == 400 and "NUL character" in response.content.decode()  # pbx_portal.input_guard
    assert not SyncRun.objects.exists()


def test_another_organizations_runs_are_invisible(client, connected, other_organization):
    run = SyncRun.objects.create(organization=connected.organization, kind="users", trigger="manual",
                                 status="needs_approval", counts={"planned_removals": 60})
    SyncEvent.objects.create(run=run, organization=connected.organization, action="disabled", subject="Alex Wilber")
    outsider = make_admin(other_organization, "fabrikam-admin")
    client.force_login(outsider)
    for url in (f"/integrations/sync/runs/{run.pk}/", f"/integrations/sync/runs/{run.pk}/progress.json"):
        assert client.get(url).status_code == 404
    assert client.post(f"/integrations/sync/runs/{run.pk}/approve/").status_code == 404
    assert client.post(f"/integrations/sync/runs/{run.pk}/reject/").status_code == 404
    log = client.get("/integrations/sync/log/?user=Alex").content.decode()
    assert "Alex Wilber" not in log and f">{run.pk}<" not in log
    run.refresh_from_db()
    assert run.status == "needs_approval"


def test_log_filters_by_user_and_bad_input_is_harmless(admin_client, connected):
    organization = connected.organization
    first = SyncRun.objects.create(organization=organization, kind="users", trigger="manual", status="succeeded")
    SyncEvent.objects.create(run=first, organization=organization, action="updated", subject="Megan Bowen",
                             subject_id="abc", before={"job_title": "A"}, after={"job_title": "B"})
    second = SyncRun.objects.create(organization=organization, kind="users", trigger="manual", status="succeeded")
    body = admin_client.get("/integrations/sync/log/?user=Megan").content.decode()
    assert f'/integrations/sync/runs/{first.pk}/' in body and f'/integrations/sync/runs/{second.pk}/' not in body
    assert admin_client.get("/integrations/sync/log/?user=%00&kind=%00&page=x").status_code == 400
    assert admin_client.get("/integrations/sync/log/?user=%FF&kind=x&page=x").status_code == 200
    detail = admin_client.get(f"/integrations/sync/runs/{first.pk}/?user=megan&action=updated").content.decode()
    assert "Megan Bowen" in detail and "Job title" in detail


def test_approve_and_reject_only_when_waiting(admin_client, connected, monkeypatch):
    monkeypatch.setattr("integrations.sync.tasks.run_sync.delay", lambda run_id: None)
    run = SyncRun.objects.create(organization=connected.organization, kind="users", trigger="schedule",
                                 status="succeeded")
    response = admin_client.post(f"/integrations/sync/runs/{run.pk}/approve/", follow=True)
    assert "not waiting for approval" in response.content.decode()
    run.status = "needs_approval"
    run.counts = {"planned_removals": 60}
    run.save()
    admin_client.post(f"/integrations/sync/runs/{run.pk}/approve/")
    run.refresh_from_db()
    follow_up = SyncRun.objects.exclude(pk=run.pk).get()
    assert run.status == "approved" and follow_up.trigger == "approval"
    assert follow_up.options == {"allow_removals": 60, "approved_run": run.pk} and follow_up.full
