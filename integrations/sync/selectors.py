"""Reads for the sync pages: runs and events of the admin's own organization only."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from integrations.sync.models import SyncEvent, SyncKind, SyncRun, SyncSchedule


def runs_for(organization, *, kind: str = "", user: str = ""):
    runs = SyncRun.objects.filter(organization=organization).select_related("requested_by")
    if kind in SyncKind.values:
        runs = runs.filter(kind=kind)
    if user:
        touching = SyncEvent.objects.filter(run=OuterRef("pk"), organization=organization).filter(
            Q(subject__icontains=user) | Q(subject_id=user.lower()) | Q(number=user))
        runs = runs.filter(Exists(touching))
    return runs


def run_for(organization, run_id: int) -> SyncRun | None:
    return SyncRun.objects.filter(organization=organization, pk=run_id).select_related(
        "requested_by", "decided_by").first()


def events_for(run: SyncRun, *, action: str = "", user: str = ""):
    events = run.events.all()
    if action in SyncEvent.Action.values:
        events = events.filter(action=action)
    if user:
        events = events.filter(Q(subject__icontains=user) | Q(subject_id=user.lower()) | Q(number=user))
    return events


def latest_run(organization, kind: str, *, finished: bool = False) -> SyncRun | None:
    runs = SyncRun.objects.filter(organization=organization, kind=kind).exclude(dry_run=True)
    if finished:
        runs = runs.exclude(status__in=SyncRun.ACTIVE_STATUSES).exclude(trigger=SyncRun.Trigger.SINGLE_USER)
    return runs.first()


def schedule_of(organization, kind: str) -> SyncSchedule | None:
    return SyncSchedule.objects.filter(organization=organization, kind=kind).first()
