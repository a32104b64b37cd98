"""The "Near real-time updates" card on User Synchronization and Collaboration, its switch, and the
graph_subscriptions command's listing."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.models import SyncSchedule
from integrations.sync.realtime.inbox import _count_drop, dropped_counts
from integrations.sync.realtime.models import RealtimeSwitch, Subscription
from integrations.sync.realtime.settings_switch import realtime_enabled
from organizations.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com",
                                          client_id="c", client_secret="s", feature_user_sync=True)


@pytest.fixture
def maintain_sent(monkeypatch):
    sent = []
    monkeypatch.setattr("integrations.sync.realtime.tasks.maintain.delay", lambda *args: sent.append(args))
    return sent


@pytest.mark.parametrize("base, default", [("https://pbx.example.com", True), ("http://localhost:8000", False)])
def test_on_by_default_only_when_the_notification_url_is_https(settings, organization, base, default):
    settings.GRAPH_NOTIFICATION_URL = base
    settings.GRAPH_NOTIFICATION_ALLOW_HTTP = False
    assert realtime_enabled(organization, "users") is default


def test_the_card_shows_each_subscription_state_expiry_and_last_notification(admin_client, settings, organization,
                                                                             connected):
    settings.GRAPH_NOTIFICATION_URL = "https://pbx.example.com"
    Subscription.objects.create(organization=organization, kind="users", resource="users", change_type="updated",
                                graph_id="g1", status="active", expires_at=timezone.now() + timedelta(days=20),
                                last_notification_at=timezone.now(), notifications=7)
    page = admin_client.get("/integrations/entra/user-sync/").content.decode()
    assert "Near real-time updates" in page and 'data-subscription="users"' in page
    assert "Active" in page and ">7<" in page
    assert "every 60 minutes, as a safety net" in page


def test_a_failing_subscription_says_polling_took_over(admin_client, settings, organization, connected):
    settings.GRAPH_NOTIFICATION_URL = "https://pbx.example.com"
    Subscription.objects.create(organization=organization, kind="users", resource="users", change_type="updated",
                                graph_id="g1", status="failing", error="Microsoft Graph is unavailable (HTTP 503).")
    page = admin_client.get("/integrations/entra/user-sync/").content.decode()
    assert "Polling instead of notifications" in page and "HTTP 503" in page


def test_without_https_the_switch_is_disabled_and_says_why(admin_client, settings, connected):
    settings.GRAPH_NOTIFICATION_URL = "http://localhost:8000"
    settings.GRAPH_NOTIFICATION_ALLOW_HTTP = False
    page = admin_client.get("/integrations/collaboration/").content.decode()
    assert "data-realtime-unavailable" in page and "GRAPH_NOTIFICATION_URL" in page
    response = admin_client.post("/integrations/realtime/contacts/switch/", {"enabled": "on"})
    assert response.status_code == 302 and not RealtimeSwitch.objects.exists()


def test_the_switch_is_saved_audited_and_upkeep_queued(admin_client, settings, organization, connected,
                                                      maintain_sent, django_capture_on_commit_callbacks):
    settings.GRAPH_NOTIFICATION_URL = "https://pbx.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/integrations/realtime/users/switch/", {})
    assert response.status_code == 302 and response["Location"] == "/integrations/entra/user-sync/"
    assert RealtimeSwitch.objects.get(organization=organization, kind="users").enabled is False
    assert AuditEntry.objects.filter(organization=organization, action="realtime.switched").exists()
    assert maintain_sent == [(organization.pk,)]
    assert admin_client.post("/integrations/realtime/presence/switch/", {"enabled": "on"}).status_code == 404


def test_the_safety_net_interval_only_applies_while_notifications_work(organization, connected):
    from integrations.sync.realtime.services import apply_safety_net

    schedule = SyncSchedule.objects.get(organization=organization, kind="users")
    row = Subscription.objects.create(organization=organization, kind="users", resource="users", status="active")
    apply_safety_net(organization, "users")
    schedule.refresh_from_db()
    assert schedule.effective_interval_seconds == 3600
    SyncSchedule.objects.filter(pk=schedule.pk).update(next_run_at=timezone.now() + timedelta(minutes=55))
    Subscription.objects.filter(pk=row.pk).update(status="failing")
    apply_safety_net(organization, "users")
    schedule.refresh_from_db()
    assert schedule.effective_interval_seconds == schedule.interval_seconds
    assert schedule.next_run_at <= timezone.now() + timedelta(seconds=schedule.interval_seconds)


def test_the_command_lists_subscriptions_as_json(organization):
    expires = timezone.now() + timedelta(days=2)
    Subscription.objects.create(organization=organization, kind="contacts", resource="users/abc/contacts",
                                status="active", expires_at=expires)
    out = io.StringIO()
    call_command("graph_subscriptions", organization.name, "--json", stdout=out)
    [row] = json.loads(out.getvalue())
    assert {"resource", "expires", "status", "last_notification"} <= set(row)
    assert (row["resource"], row["status"], row["last_notification"]) == ("users/abc/contacts", "active", None)
    assert row["expires"].endswith("Z")


def test_the_card_states_the_interval_really_polled_and_its_own_kinds_dropped_notifications(
        admin_client, settings, organization, connected, fresh_cache):
    settings.GRAPH_NOTIFICATION_URL = "https://pbx.example.com"
    SyncSchedule.objects.update_or_create(organization=organization, kind="users",
                                          defaults={"interval_seconds": 120 * 60})
    users = Subscription.objects.create(organization=organization, kind="users", resource="users",
                                        change_type="updated", graph_id="g1", status="active",
                                        expires_at=timezone.now() + timedelta(days=20))
    contacts = Subscription.objects.create(organization=organization, kind="contacts", resource="users/x/contacts",
                                           change_type="created", graph_id="g2", status="active",
                                           expires_at=timezone.now() + timedelta(days=2))
    for _ in range(3):
        _count_drop("forged", users)
    _count_drop("wrong_tenant", contacts)
    assert sum(dropped_counts(organization.pk).values()) == 4  # the organization's total is still kept
    page = " ".join(admin_client.get("/integrations/entra/user-sync/").content.decode().split())
    assert "every 120 minutes, as a safety net" in page  # an admin's 2 hours is what the dispatcher runs, not 60
    assert "3 user notifications naming this organization were dropped" in page
    collaboration = " ".join(admin_client.get("/integrations/collaboration/").content.decode().split())
    assert "1 contact notification naming this organization was dropped" in collaboration
