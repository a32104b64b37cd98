"""Nothing starts on its own: user synchronization starts off; only saving User Synchronization with the switch on
starts automatic runs, and the page says when the first one happens."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.dispatch import dispatch_due_syncs
from integrations.sync.models import SyncRun, SyncSchedule
from tests.helpers.entra_form import CLIENT, SECRET, TENANT, form_data
from tests.helpers.user_sync import settings_form

pytestmark = pytest.mark.django_db
CONNECTION_TAB = "/integrations/entra/"
USER_SYNC = "/integrations/entra/user-sync/"


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr("integrations.sync.tasks.run_sync.delay", sent.append)
    return sent


def user_sync_form(**overrides):
    return settings_form(**{"enabled": None, **overrides})  # sync stays off unless a test switches it on


def test_saving_the_connection_tab_switches_no_sync_on(admin_client, organization, queued):
    admin_client.post(CONNECTION_TAB, form_data())  # even with a stray feature_user_sync=on in the post
    connection = EntraConnection.objects.get(organization=organization)
    assert connection.is_configured
    assert not any(getattr(connection, name) for name in EntraConnection.FEATURE_FIELDS)
    EntraConnection.objects.filter(pk=connection.pk).update(status="connected")
    outcome = dispatch_due_syncs(now=timezone.now() + timedelta(days=1))
    assert outcome["queued"] == 0 and not SyncRun.objects.exists() and not queued


def test_connect_entra_switches_no_sync_on(organization, monkeypatch, queued):
    monkeypatch.setenv("PBX_SECRET", SECRET)
    with pytest.raises(CommandError, match="not tested"):
        call_command("connect_entra", organization.name, "--tenant-id", TENANT, "--client-id", CLIENT,
                     "--secret-env", "PBX_SECRET")
    connection = EntraConnection.objects.get(organization=organization)
    assert not connection.feature_user_sync
    assert dispatch_due_syncs()["queued"] == 0 and not SyncRun.objects.exists()


def test_the_page_says_nothing_runs_until_switched_on(admin_client, organization):
    admin_client.post(CONNECTION_TAB, form_data())
    body = admin_client.get(USER_SYNC).content.decode()
    assert "Automatic sync is off: nothing runs on its own" in body
    assert 'name="enabled"' in body and "checked" not in body.split('name="enabled"')[1].split(">")[0]


def test_saving_user_sync_switched_off_starts_nothing(admin_client, organization, queued):
    admin_client.post(CONNECTION_TAB, form_data())
    response = admin_client.post(USER_SYNC, user_sync_form(), follow=True)
    assert "Automatic sync is off" in response.content.decode()
    assert dispatch_due_syncs(now=timezone.now() + timedelta(days=1))["queued"] == 0
    assert not SyncRun.objects.exists()


def test_saving_user_sync_switched_on_schedules_the_first_run_and_says_when(admin_client, organization, queued):
    admin_client.post(CONNECTION_TAB, form_data())
    before = timezone.now()
    response = admin_client.post(USER_SYNC, user_sync_form(enabled="on", interval_minutes="10"), follow=True)
    schedule = SyncSchedule.objects.get(organization=organization, kind="users")
    assert before + timedelta(minutes=10) <= schedule.next_run_at <= timezone.now() + timedelta(minutes=10)
    body = response.content.decode()
    assert f"The first automatic run starts at {schedule.next_run_at:%H:%M} UTC" in body
    assert dispatch_due_syncs()["queued"] == 0  # not before the time the page announced
    assert dispatch_due_syncs(now=schedule.next_run_at + timedelta(seconds=1))["queued"] == 1
    assert SyncRun.objects.get().trigger == SyncRun.Trigger.SCHEDULE


def test_switching_off_stops_automatic_runs(admin_client, organization, queued):
    admin_client.post(CONNECTION_TAB, form_data())
    admin_client.post(USER_SYNC, user_sync_form(enabled="on"))
    admin_client.post(USER_SYNC, user_sync_form())
    assert dispatch_due_syncs(now=timezone.now() + timedelta(days=1))["queued"] == 0


def test_sync_now_is_an_explicit_run_while_automatic_sync_is_off(admin_client, organization, queued,
                                                                 django_capture_on_commit_callbacks):
    admin_client.post(CONNECTION_TAB, form_data())
    EntraConnection.objects.filter(organization=organization).update(feature_user_sync=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/integrations/entra/user-sync/sync-now/")
    assert response.status_code == 302
    run = SyncRun.objects.get()
    assert run.trigger == SyncRun.Trigger.MANUAL and len(queued) == 1


def test_only_runs_a_person_asked_for_work_while_automatic_sync_is_off():
    from integrations.sync.runs import EXPLICIT_TRIGGERS

    automatic = set(SyncRun.Trigger.values) - {str(t) for t in EXPLICIT_TRIGGERS}
    assert {"schedule", "notification", "scim"} <= automatic
