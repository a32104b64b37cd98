"""The beat's side of subscription upkeep, set-based: which organizations need ``subscriptions_maintain`` now
(a subscription past half its lifetime, failing or being replaced; or a switched-on kind with none yet)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from integrations.graph.subscriptions import DIRECTORY_MAX_LIFETIME, OUTLOOK_MAX_LIFETIME
from integrations.models import EntraConnection
from integrations.sync.models import SyncKind
from integrations.sync.realtime.models import RealtimeSwitch, Subscription
from integrations.sync.realtime.registry import TARGETS
from integrations.sync.realtime.settings_switch import default_enabled, reachable_by_microsoft
from integrations.sync.registry import KINDS
from pbx_portal import jobs


def organizations_needing_upkeep(now=None) -> set[int]:
    now = now or timezone.now()
    due = set(Subscription.objects.filter(
        ~Q(status=Subscription.Status.ACTIVE) | Q(expires_at__isnull=True)
        | Q(kind=SyncKind.CONTACTS, expires_at__lte=now + OUTLOOK_MAX_LIFETIME / 2)
        | (~Q(kind=SyncKind.CONTACTS) & Q(expires_at__lte=now + DIRECTORY_MAX_LIFETIME / 2))
    ).values_list("organization_id", flat=True).distinct())
    if not reachable_by_microsoft():
        return due
    for kind in TARGETS:
        spec = KINDS.get(kind)
        if spec is None:
            continue
        switch = RealtimeSwitch.objects.filter(organization=OuterRef("organization"), kind=kind)
        wanted = Exists(switch.filter(enabled=True)) if not default_enabled() else ~Exists(switch.filter(enabled=False))
        missing = (EntraConnection.objects.filter(**{spec.feature_field: True}, syncs_paused=False)
                   .exclude(tenant_id="").filter(wanted)
                   .exclude(Exists(Subscription.objects.filter(organization=OuterRef("organization"), kind=kind))))
        due.update(missing.values_list("organization_id", flat=True))
    return due


def maintenance_due(now=None) -> int:
    organizations = sorted(organizations_needing_upkeep(now))
    jobs.enqueue_many("realtime.maintain", [(pk,) for pk in organizations])
    return len(organizations)
