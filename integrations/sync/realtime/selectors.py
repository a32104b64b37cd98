"""What the settings pages show about near real-time updates of one sync kind."""

from __future__ import annotations

from django.conf import settings

from integrations.sync.models import SyncSchedule
from integrations.sync.realtime.inbox import dropped_counts
from integrations.sync.realtime.models import Subscription
from integrations.sync.realtime.settings_switch import (
    default_enabled,
    notification_base,
    reachable_by_microsoft,
    realtime_switch_value,
)


def realtime_panel(organization, kind: str) -> dict:
    subscriptions = list(Subscription.objects.filter(organization=organization, kind=kind))
    schedule = SyncSchedule.objects.filter(organization=organization, kind=kind).first()
    failing = [row for row in subscriptions if row.status == Subscription.Status.FAILING]
    dropped = dropped_counts(organization.pk, kind)
    interval_minutes = max(1, (schedule.interval_seconds if schedule else 300) // 60)
    return {
        "kind": kind,
        "enabled": realtime_switch_value(organization, kind),
        "reachable": reachable_by_microsoft(),
        "https": default_enabled(),
        "notification_base": notification_base(),
        "subscriptions": subscriptions,
        "failing": failing,
        "working": bool(subscriptions) and all(row.status == Subscription.Status.ACTIVE for row in subscriptions),
        "interval_minutes": interval_minutes,
        # the dispatcher runs at the longer of the two (SyncSchedule.effective_interval_seconds)
        "safety_net_minutes": max(settings.GRAPH_NOTIFICATION_SAFETY_NET_MINUTES, interval_minutes),
        "dropped": sum(dropped.values()),
    }
