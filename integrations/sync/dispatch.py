"""Beat only dispatches: each due organization's run becomes its own task, so more workers sync more tenants."""

import logging

from django.db.models import Q
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.models import SyncRun, SyncSchedule
from integrations.sync.registry import KINDS, why_not_runnable
from integrations.sync.runs import reap_stale_runs, run_request

logger = logging.getLogger(__name__)


def ensure_schedules() -> None:
    """Every connection with a kind switched on has a schedule row for it (new ones are due at once)."""
    for spec in KINDS.values():
        enabled = EntraConnection.objects.filter(**{spec.feature_field: True}).exclude(tenant_id="")
        missing = enabled.exclude(organization__sync_schedules__kind=spec.kind).values_list("organization_id",
                                                                                            flat=True)
        SyncSchedule.objects.bulk_create(
            [SyncSchedule(organization_id=org_id, kind=spec.kind, interval_seconds=spec.default_interval_seconds)
             for org_id in missing], ignore_conflicts=True)


def dispatch_due_syncs(now=None) -> dict:
    """Queue one run for every due, runnable (organization, kind). Returns counts for the beat log."""
    now = now or timezone.now()
    ensure_schedules()
    reap_stale_runs(now=now)
    due = (SyncSchedule.objects.filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
           .filter(Q(quarantined_until__isnull=True) | Q(quarantined_until__lte=now))
           .select_related("organization", "organization__entra_connection").order_by("next_run_at", "pk"))
    queued = skipped = busy = 0
    for schedule in due:
        connection = getattr(schedule.organization, "entra_connection", None)
        if why_not_runnable(connection, schedule.kind):
            skipped += 1
            continue
        _run, created = run_request(organization=schedule.organization, kind=schedule.kind,
                                    trigger=SyncRun.Trigger.SCHEDULE, reap=False)
        if created:
            queued += 1
            # Not due again until this run finishes (schedule_after_run sets the real next time).
            SyncSchedule.objects.filter(pk=schedule.pk).update(
                next_run_at=now + timezone.timedelta(seconds=schedule.interval_seconds))
        else:
            busy += 1
    if queued:
        logger.info("Dispatched %d sync run(s); %d busy, %d not runnable", queued, busy, skipped)
    return {"queued": queued, "busy": busy, "skipped": skipped}

