"""Run lifecycle: request (one active run per organization and kind), claim, execute, finish, approve.

The lock is the partial unique constraint on SyncRun (status queued/running). A run whose heartbeat is older than
STALE_AFTER belongs to a worker that died: it is closed as failed and a new run may start; the interrupted run's
effects are consistent because every page is committed whole and delta links are stored only at the end.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from integrations.connection_client import graph_client_for
from integrations.graph import AuthenticationFailed, GraphClientError
from integrations.models import EntraConnection
from integrations.sync.context import RunContext
from integrations.sync.failures import SyncAborted, describe_failure
from integrations.sync.heartbeat import Heartbeat
from integrations.sync.models import SyncRun
from integrations.sync.quarantine import schedule_after_run
from integrations.sync.registry import kind_spec, why_not_runnable
from organizations.audit import audit_record
from pbx_portal import jobs

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)  # longer than the Graph client's longest Retry-After wait (120 s)
Status = SyncRun.Status
ENDED_PHASES = {Status.FAILED: "Failed", Status.SKIPPED: "Skipped", Status.NEEDS_APPROVAL: "Waiting for approval"}
# Runs a person asked for; every other trigger (schedule, change notifications, SCIM) is automatic.
EXPLICIT_TRIGGERS = frozenset({SyncRun.Trigger.MANUAL, SyncRun.Trigger.PREVIEW, SyncRun.Trigger.COMMAND,
                               SyncRun.Trigger.APPROVAL, SyncRun.Trigger.SINGLE_USER, SyncRun.Trigger.SETTINGS})


def active_run(organization, kind: str) -> SyncRun | None:
    return SyncRun.objects.filter(organization=organization, kind=kind, status__in=SyncRun.ACTIVE_STATUSES).first()


def reap_stale_runs(organization=None, kind: str | None = None, now=None) -> int:
    """Close runs whose worker stopped answering (no heartbeat for STALE_AFTER)."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    stale = SyncRun.objects.filter(status__in=SyncRun.ACTIVE_STATUSES).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
    if organization is not None:
        stale = stale.filter(organization=organization)
    if kind is not None:
        stale = stale.filter(kind=kind)
    closed = 0
    for run in stale:
        closed += SyncRun.objects.filter(pk=run.pk, status=run.status).update(
            status=Status.FAILED, finished_at=now,
            error="The worker running this sync stopped (crashed or was restarted). Nothing was removed; the next "
                  "run picks up where it left off.")
    if closed:
        logger.warning("Closed %d stale sync run(s)", closed)
    return closed


def run_request(*, organization, kind: str, trigger: str, actor=None, full: bool = False, dry_run: bool = False,
                options: dict | None = None, enqueue: bool = True, reap: bool = True) -> tuple[SyncRun, bool]:
    """Queue a run, or return the active one. (run, created). The task is sent after the transaction commits.

    reap=False: the caller already closed stale runs (the dispatcher does it once for all organizations)."""
    kind_spec(kind)
    if reap:
        reap_stale_runs(organization, kind)
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(organization=organization, kind=kind, trigger=trigger, full=full,
                                         dry_run=dry_run, options=options or {},
                                         requested_by=actor if getattr(actor, "is_authenticated", False) else None)
    except IntegrityError:
        existing = active_run(organization, kind)
        if existing is None:  # it finished between our insert and this read: try once more
            return run_request(organization=organization, kind=kind, trigger=trigger, actor=actor, full=full,
                               dry_run=dry_run, options=options, enqueue=enqueue)
        return existing, False
    if enqueue:
        jobs.enqueue("sync.run", run.pk)
    return run, True


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(run_id: int, now=None) -> SyncRun | None:
    """Take a queued run (or a running one whose worker died): None if someone else holds it or it is over."""
    now = now or timezone.now()
    taken = SyncRun.objects.filter(pk=run_id).filter(
        Q(status=Status.QUEUED) | Q(status=Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    ).update(status=Status.RUNNING, heartbeat_at=now, worker=_worker_name())
    if not taken:
        return None
    run = SyncRun.objects.select_related("organization").get(pk=run_id)
    if run.started_at is None:
        run.started_at = now
        SyncRun.objects.filter(pk=run.pk).update(started_at=now)
    return run


def run_execute(run_id: int, *, progress=None) -> SyncRun | None:
    """Execute a queued run in this process. Returns the finished run (None if it was not ours to run)."""
    run = claim(run_id)
    if run is None:
        logger.info("Sync run %s is not queued (finished, or held by a live worker): nothing to do", run_id)
        return None
    connection = EntraConnection.objects.filter(organization=run.organization).first()
    reason = why_not_runnable(connection, run.kind, explicit=run.trigger in EXPLICIT_TRIGGERS)
    if reason:
        return _finish(run, Status.SKIPPED, reason)
    ctx = RunContext(run, connection, graph_client_for(connection), progress=progress)
    try:
        with Heartbeat(run.pk):
            kind_spec(run.kind).execute(ctx)
    except AuthenticationFailed as exc:
        _pause_syncs(connection, exc)
        ctx.flush()
        return _finish(run, Status.FAILED, describe_failure(exc, connection))
    except (GraphClientError, SyncAborted) as exc:
        ctx.flush()
        return _finish(run, Status.FAILED, describe_failure(exc, connection))
    except Exception:
        logger.exception("Sync run %s failed with an unexpected error", run.pk)
        ctx.flush()
        return _finish(run, Status.FAILED, "Internal error in the sync engine (logged for the operators). Nothing "
                                           "was removed; the next run retries.")
    ctx.flush()
    return _finish(run, ctx.outcome, ctx.outcome_message)


def _pause_syncs(connection: EntraConnection, exc: AuthenticationFailed) -> None:
    message = describe_failure(exc, connection)
    EntraConnection.objects.filter(pk=connection.pk).update(
        syncs_paused=True, status=EntraConnection.Status.ERROR, status_detail=message)
    audit_record(organization=connection.organization, actor=None, action="entra.syncs_paused",
                 target="Microsoft Entra ID connection", changes={"syncs_paused": [False, True]})


def _finish(run: SyncRun, status: str, message: str = "") -> SyncRun:
    now = timezone.now()
    run.status, run.finished_at, run.heartbeat_at = status, now, now
    if status in (Status.FAILED, Status.SKIPPED, Status.NEEDS_APPROVAL):
        run.error = message
        run.phase = ENDED_PHASES[status]  # never a stale "Reading users: 35 read" after the run ended
    else:
        run.error = ""
        run.phase = (message or "Finished")[:200]
    if status == Status.NEEDS_APPROVAL:  # the latest plan is the one to decide on
        SyncRun.objects.filter(organization_id=run.organization_id, kind=run.kind, status=Status.NEEDS_APPROVAL) \
            .exclude(pk=run.pk).update(status=Status.SUPERSEDED)
    SyncRun.objects.filter(pk=run.pk).update(status=status, finished_at=now, heartbeat_at=now, error=run.error,
                                             phase=run.phase)
    if not run.dry_run:
        schedule_after_run(run)
    if _is_quiet(run):
        SyncRun.objects.filter(pk=run.pk).delete()
        logger.debug("Sync run %s (%s) changed nothing: not kept in the log", run.pk, run.kind)
        return run
    logger.info("Sync run %s (%s, org %s) finished: %s %s", run.pk, run.kind, run.organization_id, status,
                dict(run.counts or {}))
    return run


def _is_quiet(run: SyncRun) -> bool:
    quiet = kind_spec(run.kind).quiet
    return bool(quiet is not None and run.status == Status.SUCCEEDED and run.trigger == SyncRun.Trigger.SCHEDULE
                and not run.dry_run and quiet(run.counts or {}) and not run.events.exists())


@transaction.atomic
def run_approve(*, run: SyncRun, actor) -> SyncRun:
    """Approve a run's removals: a new full run may remove up to the number this run would have removed."""
    run = SyncRun.objects.select_for_update().get(pk=run.pk)
    if run.status != Status.NEEDS_APPROVAL:
        raise ValueError("This run is not waiting for approval.")
    allowed = int((run.counts or {}).get("planned_removals", 0))
    SyncRun.objects.filter(pk=run.pk).update(status=Status.APPROVED, decided_by=actor, decided_at=timezone.now())
    audit_record(organization=run.organization, actor=actor, action="sync.removals_approved",
                 target=f"Sync run {run.pk}", changes={"removals": [None, allowed]})
    new_run, _ = run_request(organization=run.organization, kind=run.kind, trigger=SyncRun.Trigger.APPROVAL,
                             actor=actor, full=True, options={"allow_removals": allowed, "approved_run": run.pk})
    return new_run


@transaction.atomic
def run_reject(*, run: SyncRun, actor) -> SyncRun:
    run = SyncRun.objects.select_for_update().get(pk=run.pk)
    if run.status != Status.NEEDS_APPROVAL:
        raise ValueError("This run is not waiting for approval.")
    now = timezone.now()
    SyncRun.objects.filter(pk=run.pk).update(status=Status.REJECTED, decided_by=actor, decided_at=now)
    audit_record(organization=run.organization, actor=actor, action="sync.removals_rejected",
                 target=f"Sync run {run.pk}", changes={})
    run.refresh_from_db()
    remember = kind_spec(run.kind).on_reject
    if remember is not None:  # the kind remembers what was rejected, so it is not planned again
        remember(run)
    return run
