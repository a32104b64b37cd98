"""Users in near real time against the emulator: a change in Entra reaches the extension through a change
notification (no scheduled run), bursts coalesce, forged and unknown notifications change nothing, lifecycle
events, expiry and renewal, and polling as the fallback while renewal fails."""

import io
import json

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from extensions.models import Extension
from integrations.sync.models import SyncRun, SyncSchedule
from integrations.sync.realtime.inbox import dropped_counts, forget_looked_up
from integrations.sync.realtime.models import Subscription
from integrations.sync.realtime.services import subscriptions_maintain
from tests.helpers.user_sync import active_synced
from tests.helpers.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def users_subscription(organization) -> Subscription:
    return Subscription.objects.get(organization=organization, resource="users")


def rename(emu, entra_id: str, name: str) -> None:
    emu.control("PATCH", f"users/{entra_id}", json={"displayName": name})


def extension_named(organization, entra_id: str, name: str, timeout: float = 30) -> Extension:
    return wait_until(lambda: Extension.objects.filter(organization=organization, entra_object_id=entra_id,
                                                       display_name=name).first(),
                      timeout=timeout, message=f"the extension to be renamed {name!r}")


def notification_runs(organization):
    return SyncRun.objects.filter(organization=organization, trigger=SyncRun.Trigger.NOTIFICATION)


def runs_settled(organization) -> bool:
    return not SyncRun.objects.filter(organization=organization, status__in=SyncRun.ACTIVE_STATUSES).exists()


def test_the_handshake_creates_an_active_subscription_and_a_rename_arrives_without_a_scheduled_run(emu, subscribed):
    row = users_subscription(subscribed)
    assert row.status == "active" and row.graph_id and row.tenant_id == emu.tenant_id
    live = {s["id"]: s for s in emu.control("GET", "subscriptions")["subscriptions"]}
    assert live[row.graph_id]["notificationUrl"].endswith("/graph/notifications/")
    assert live[row.graph_id]["clientState"] not in row.client_state_hash  # only the hash is kept
    schedule = SyncSchedule.objects.get(organization=subscribed, kind="users")
    assert schedule.safety_net_seconds == 3600  # polling is only the safety net now
    wait_until(lambda: runs_settled(subscribed), message="the catch-up run after subscribing")
    entra_id = next(iter(active_synced(subscribed)))
    rename(emu, entra_id, "Near Real Time")
    extension_named(subscribed, entra_id, "Near Real Time")
    assert not SyncRun.objects.filter(organization=subscribed, trigger=SyncRun.Trigger.SCHEDULE).exists()
    wait_until(lambda: users_subscription(subscribed).last_notification_at, message="the notification recorded")
    assert users_subscription(subscribed).notifications >= 1
    out = io.StringIO()
    call_command("graph_subscriptions", subscribed.name, "--json", stdout=out)
    [listed] = json.loads(out.getvalue())
    assert listed["resource"] == "users" and listed["status"] == "active"
    assert listed["expires"].startswith(str(timezone.now().year)) or listed["expires"] > timezone.now().isoformat()
    assert listed["last_notification"]


def test_a_burst_of_changes_is_coalesced_into_few_runs(emu, subscribed):
    wait_until(lambda: runs_settled(subscribed), message="the catch-up run after subscribing")
    before = notification_runs(subscribed).count()
    ids = list(active_synced(subscribed))[:12]
    emu.control("POST", "users/bulk", json={"operations": [
        {"op": "update", "id": entra_id, "changes": {"displayName": f"Burst {i}"}} for i, entra_id in enumerate(ids)]})
    for i, entra_id in enumerate(ids):
        extension_named(subscribed, entra_id, f"Burst {i}")
    wait_until(lambda: runs_settled(subscribed), message="the runs to finish")
    runs = notification_runs(subscribed).count() - before
    assert 1 <= runs <= 2, f"{runs} runs for {len(ids)} changes"  # one run, at most one follow-up


def delivered_payload(emu, subscription_id: str) -> dict:
    deliveries = wait_until(lambda: [d for d in emu.deliveries(subscription_id)
                                     if d["kind"] == "change" and d["outcome"] == "delivered"],
                            message="a delivered notification")
    return deliveries[-1]["payload"]


@pytest.mark.parametrize("tamper, reason", [
    (lambda item: item.update(clientState="forged-" + item["clientState"][7:]), "forged"),
    (lambda item: item.update(subscriptionId="6f1f2a4e-0000-4000-8000-000000000000"), "unknown"),
])
def test_forged_and_unknown_notifications_are_dropped(emu, subscribed, live_server, tamper, reason):
    row = users_subscription(subscribed)
    entra_id = next(iter(active_synced(subscribed)))
    rename(emu, entra_id, "Genuine Change")
    extension_named(subscribed, entra_id, "Genuine Change")
    wait_until(lambda: runs_settled(subscribed), message="the runs to finish")
    payload = delivered_payload(emu, row.graph_id)
    for item in payload["value"]:
        tamper(item)
    runs = SyncRun.objects.count()
    answer = requests.post(f"{live_server.url}/graph/notifications/", data=json.dumps(payload),
                           headers={"Content-Type": "application/json"}, timeout=5)
    assert answer.status_code == 202
    assert dropped_counts()[reason] >= 1
    assert SyncRun.objects.count() == runs  # nothing was triggered


def test_missed_notifications_lead_to_a_catch_up_run(emu, subscribed):
    wait_until(lambda: runs_settled(subscribed), message="the catch-up run after subscribing")
    row = users_subscription(subscribed)
    entra_id = next(iter(active_synced(subscribed)))
    # The change's notification is lost on the way (the portal drops it: it no longer matches the secret) ...
    Subscription.objects.filter(pk=row.pk).update(client_state_hash="0" * 64)
    forget_looked_up()
    rename(emu, entra_id, "Missed Change")
    wait_until(lambda: dropped_counts(subscribed.pk)["forged"], message="the notification to be dropped")
    assert Extension.objects.get(organization=subscribed, entra_object_id=entra_id).display_name != "Missed Change"
    Subscription.objects.filter(pk=row.pk).update(client_state_hash=row.client_state_hash)
    forget_looked_up()  # update() sends no signal: the live server's inbox would remember the broken hash
    # ... and Graph says so: the lifecycle notification brings a delta catch-up.
    emu.control("POST", f"subscriptions/{row.graph_id}/lifecycle", json={"event": "missed", "force": True})
    extension_named(subscribed, entra_id, "Missed Change")


def test_a_removed_subscription_is_replaced_after_a_catch_up(emu, subscribed):
    row = users_subscription(subscribed)
    emu.control("POST", f"subscriptions/{row.graph_id}/lifecycle", json={"event": "subscriptionRemoved",
                                                                          "force": True})
    replaced = wait_until(lambda: Subscription.objects.filter(pk=row.pk, status="active").exclude(
        graph_id=row.graph_id).exclude(graph_id="").first(), message="a new subscription")
    assert replaced.graph_id in {s["id"] for s in emu.control("GET", "subscriptions")["subscriptions"]}
    wait_until(lambda: runs_settled(subscribed), message="the catch-up run")
    entra_id = next(iter(active_synced(subscribed)))
    rename(emu, entra_id, "After Replacement")
    extension_named(subscribed, entra_id, "After Replacement")


def test_reauthorization_required_is_answered_and_notifications_continue(emu, subscribed):
    row = users_subscription(subscribed)
    emu.control("POST", f"subscriptions/{row.graph_id}/lifecycle", json={"event": "reauthorizationRequired",
                                                                          "force": True, "pause_after": 0})
    wait_until(lambda: users_subscription(subscribed).renewed_at != row.renewed_at, message="the reauthorization")
    wait_until(lambda: runs_settled(subscribed), message="the runs to finish")
    entra_id = next(iter(active_synced(subscribed)))
    rename(emu, entra_id, "After Reauthorization")
    extension_named(subscribed, entra_id, "After Reauthorization")


def test_renewal_before_expiry_and_a_new_subscription_after_expiry(emu, subscribed):
    row = users_subscription(subscribed)
    soon = timezone.now() + timezone.timedelta(days=3)  # past half of the 29 days: due for renewal
    Subscription.objects.filter(pk=row.pk).update(expires_at=soon)
    emu.control("DELETE", "requests")
    assert subscriptions_maintain(subscribed)["renewed"] == 1
    renewed = users_subscription(subscribed)
    assert renewed.graph_id == row.graph_id and renewed.expires_at > soon + timezone.timedelta(days=20)
    assert emu.request_counts()["by_route"].get("PATCH /v1.0/subscriptions/{id}", 0) == 1 or \
        any(route.startswith("PATCH /v1.0/subscriptions") for route in emu.request_counts()["by_route"])
    emu.control("POST", "subscriptions/expire", json={"ids": [row.graph_id]})
    assert subscriptions_maintain(subscribed, force_renew=True)["created"] == 1
    fresh = users_subscription(subscribed)
    assert fresh.graph_id != row.graph_id and fresh.status == "active"


def test_renewal_failure_falls_back_to_polling_and_recovers(emu, subscribed):
    wait_until(lambda: runs_settled(subscribed), message="the catch-up run after subscribing")
    schedule = SyncSchedule.objects.get(organization=subscribed, kind="users")
    SyncSchedule.objects.filter(pk=schedule.pk).update(next_run_at=timezone.now() + timezone.timedelta(hours=1))
    emu.control("POST", "faults", json={"kind": "503", "path": "^/v1.0/subscriptions/", "method": "PATCH",
                                        "count": 50, "retry_after": 0})
    assert subscriptions_maintain(subscribed, force_renew=True)["failed"] == 1
    row = users_subscription(subscribed)
    assert row.status == "failing" and row.error
    schedule.refresh_from_db()
    assert schedule.safety_net_seconds is None  # polling at the normal interval again ...
    assert schedule.next_run_at <= timezone.now() + timezone.timedelta(seconds=schedule.interval_seconds)  # ... now
    emu.control("DELETE", "faults")
    assert subscriptions_maintain(subscribed)["renewed"] == 1
    assert users_subscription(subscribed).status == "active"
    schedule.refresh_from_db()
    assert schedule.safety_net_seconds == 3600
