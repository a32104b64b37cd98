"""The automatic-sync sentence on User Synchronization says what the dispatcher will do: a quarantine that has ended
no longer holds, paused syncs start nothing, and with change notifications the polling interval is the safety net."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.dispatch import dispatch_due_syncs
from integrations.sync.models import SyncKind, SyncRun, SyncSchedule
from integrations.sync.users.services import automatic_sync_sentence

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(organization):
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com", client_id="c",
                                   client_secret="s", status=EntraConnection.Status.CONNECTED,
                                   feature_user_sync=True)
    schedule, _ = SyncSchedule.objects.update_or_create(organization=organization, kind=SyncKind.USERS,
                                                        defaults={"interval_seconds": 300})
    return schedule


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr("integrations.sync.tasks.run_sync.delay", sent.append)
    return sent


def test_a_quarantine_that_ended_is_not_said_to_hold(admin_client, organization, schedule, queued):
    SyncSchedule.objects.filter(pk=schedule.pk).update(
        quarantined_until=timezone.now() - timedelta(hours=1), quarantine_reason="5 runs in a row failed",
        next_run_at=timezone.now() - timedelta(hours=1))
    sentence = automatic_sync_sentence(organization, enabled=True)
    assert "on hold" not in sentence and "starts within a minute" in sentence
    html = admin_client.get(reverse("user_sync:settings")).content.decode()
    assert 'id="quarantine"' not in html
    assert dispatch_due_syncs()["queued"] == 1  # the dispatcher agrees: it is due


def test_a_current_quarantine_is_said(organization, schedule):
    SyncSchedule.objects.filter(pk=schedule.pk).update(quarantined_until=timezone.now() + timedelta(hours=1))
    assert "on hold until" in automatic_sync_sentence(organization, enabled=True)


def test_paused_syncs_announce_no_next_run(organization, schedule, queued):
    EntraConnection.objects.filter(organization=organization).update(syncs_paused=True)
    SyncSchedule.objects.filter(pk=schedule.pk).update(next_run_at=timezone.now() + timedelta(minutes=3))
    sentence = automatic_sync_sentence(organization, enabled=True)
    assert "paused" in sentence and "starts" not in sentence
    assert dispatch_due_syncs(now=timezone.now() + timedelta(minutes=10))["queued"] == 0


def test_with_change_notifications_the_interval_said_is_the_safety_net(organization, schedule):
    SyncSchedule.objects.filter(pk=schedule.pk).update(safety_net_seconds=3600)
    sentence = automatic_sync_sentence(organization, enabled=True)
    assert "every 5 min" not in sentence and "safety-net run every 60 min" in sentence


def test_a_notification_run_is_an_automatic_run(organization, schedule):
    SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.NOTIFICATION,
                           status=SyncRun.Status.SUCCEEDED)
    assert "The next automatic run" in automatic_sync_sentence(organization, enabled=True)
