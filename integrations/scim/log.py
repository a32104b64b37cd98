"""The sync log for SCIM push: one SyncRun per organization and UTC day (trigger "scim"), one event per request's
effect, written by the same UserSync.record() Graph sync uses. Opening the day's run first locks the organization's
ScimProvisioning row, so an organization's SCIM requests apply one after the other (numbers are handed out without
races) and two first requests of a day cannot both find no run and create one each: the second waits for the first
to commit, then finds its run."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from integrations.scim.models import ScimProvisioning
from integrations.sync.context import EventLog
from integrations.sync.models import SyncKind, SyncRun

TRIGGER = SyncRun.Trigger.SCIM


class RequestLog(EventLog):
    """What UserSync needs of a run context (run, organization, event, add), for one SCIM request: its counts are
    added to the day's run."""

    def __init__(self, organization):
        super().__init__(_day_run(organization))
        self.organization = organization

    def flush(self, phase: str | None = None) -> None:
        if not self._events and not self.counts:
            return
        self.write_events()
        counts = Counter(self.run.counts or {})
        counts.update(self.counts)
        self.counts.clear()
        now = timezone.now()
        SyncRun.objects.filter(pk=self.run.pk).update(counts=dict(counts), finished_at=now, heartbeat_at=now)


def _day_run(organization) -> SyncRun:
    # The lock is taken on a row that exists before the run does (a lock on the run itself cannot cover its creation).
    # Under READ COMMITTED each later statement sees what the request before it committed.
    ScimProvisioning.objects.select_for_update().get_or_create(organization=organization)
    now = timezone.now()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    runs = SyncRun.objects.select_for_update().filter(organization=organization, kind=SyncKind.USERS,
                                                      trigger=TRIGGER, created_at__gte=start)
    run = runs.order_by("-created_at").first()
    if run is None:
        run = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=TRIGGER,
                                     status=SyncRun.Status.SUCCEEDED, phase="Microsoft Entra provisioning (SCIM)",
                                     started_at=now, finished_at=now, heartbeat_at=now)
        run = SyncRun.objects.select_for_update().get(pk=run.pk)
    return run
