"""Beat only dispatches, set-based: one query finds every due, runnable (organization, kind); their runs are
inserted in one statement and their tasks sent over one broker connection. A tick with nothing due is one query.

Schedules are created when a kind is switched on (``ensure_schedules_for``, from the connection's save) and, as a
safety net, by ``sync_housekeeping`` (a slower beat task that also closes runs whose worker died).
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.models import SyncRun, SyncSchedule
from integrations.sync.registry import KINDS, why_not_runnable
from integrations.sync.runs import reap_stale_runs
from pbx_portal import jobs

logger = logging.getLogger(__name__)


def ensure_schedules() -> int:
    """Every connection with a kind switched on has a schedule row for it (new ones are due at once)."""
    created = 0
    for spec in KINDS.values():
        enabled = EntraConnection.objects.filter(**{spec.feature_field: True}).exclude(tenant_id="")
        missing = enabled.exclude(organization__sync_schedules__kind=spec.kind).values_list("organization_id",
                                                                                            flat=True)
        created += len(SyncSchedule.objects.bulk_create(
            [SyncSchedule(organization_id=org_id, kind=spec.kind, interval_seconds=spec.default_interval_seconds)
             for org_id in missing], ignore_conflicts=True))
    return created


def ensure_schedules_for(connection: EntraConnection) -> None:
    """The schedules of one connection's switched-on kinds (called when the connection is saved)."""
    if not connection.tenant_id:
        return
    SyncSchedule.objects.bulk_create(
        [SyncSchedule(organization_id=connection.organization_id, kind=spec.kind,
                      interval_seconds=spec.default_interval_seconds)
         for spec in KINDS.values() if getattr(connection, spec.feature_field)], ignore_conflicts=True)


def sync_housekeeping(now=None) -> dict:
    """Missing schedules and runs whose worker died (the dispatcher's tick stays one query)."""
    return {"schedules_created": ensure_schedules(), "stale_runs_closed": reap_stale_runs(now=now)}


def _due_schedules(now):
    """Due, not quarantined, the kind switched on, syncs not paused: one SELECT joining the connection."""
    switched_on = Q()
    for spec in KINDS.values():
        switched_on |= Q(kind=spec.kind, **{f"organization__entra_connection__{spec.feature_field}": True})
    return (SyncSchedule.objects.filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
            .filter(Q(quarantined_until__isnull=True) | Q(quarantined_until__lte=now))
            .filter(switched_on, organization__entra_connection__syncs_paused=False)
            .exclude(organization__entra_connection__tenant_id="")
            .select_related("organization__entra_connection").order_by("next_run_at", "pk"))


def dispatch_due_syncs(now=None) -> dict:
    """Queue one run for every due, runnable (organization, kind). Returns counts for the beat log."""
    now = now or timezone.now()
    due = list(_due_schedules(now)) if KINDS else []
    if not due:
        return {"queued": 0, "busy": 0, "skipped": 0}
    runnable = [s for s in due if not why_not_runnable(s.organization.entra_connection, s.kind)]
    skipped = len(due) - len(runnable)
    with transaction.atomic():
        # An (organization, kind) with a queued or running run conflicts on the one-active-run constraint: skipped.
        SyncRun.objects.bulk_create(
            [SyncRun(organization_id=s.organization_id, kind=s.kind, trigger=SyncRun.Trigger.SCHEDULE,
                     options={"dispatched_at": now.isoformat()}) for s in runnable],
            ignore_conflicts=True)
        created = set(SyncRun.objects.filter(
            status=SyncRun.Status.QUEUED, trigger=SyncRun.Trigger.SCHEDULE, options__dispatched_at=now.isoformat(),
            organization_id__in={s.organization_id for s in runnable}).values_list("pk", "organization_id", "kind"))
        started = {(org_id, kind) for _pk, org_id, kind in created}
        by_interval = defaultdict(list)
        for schedule in runnable:
            if (schedule.organization_id, schedule.kind) in started:
                by_interval[schedule.effective_interval_seconds].append(schedule.pk)
        for seconds, pks in by_interval.items():
            # Not due again until this run finishes (schedule_after_run sets the real next time).
            SyncSchedule.objects.filter(pk__in=pks).update(next_run_at=now + timedelta(seconds=seconds))
        jobs.enqueue_many("sync.run", [(pk,) for pk, _org, _kind in sorted(created)])
    queued, busy = len(created), len(runnable) - len(created)
    logger.info("Dispatched %d sync run(s); %d busy, %d not runnable", queued, busy, skipped)
    return {"queued": queued, "busy": busy, "skipped": skipped}
