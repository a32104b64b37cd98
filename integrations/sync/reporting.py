"""How a run reads to scripts (the JSON of sync_users/sync_contacts/sync_presence) and to the progress poller."""

from integrations.sync.models import SyncRun
from integrations.sync.registry import kind_spec

STATUS_NAMES = {
    SyncRun.Status.SUCCEEDED: "succeeded", SyncRun.Status.FAILED: "failed",
    SyncRun.Status.NEEDS_APPROVAL: "needs_approval", SyncRun.Status.SKIPPED: "skipped",
}


def run_summary(run: SyncRun) -> dict:
    """The summary printed by the commands: `status` is succeeded, failed, needs_approval or skipped."""
    counts = run.counts or {}
    summary = {"status": STATUS_NAMES.get(run.status, run.status), "run": run.pk, "kind": run.kind,
               "full": run.full, "dry_run": run.dry_run}
    summary.update(kind_spec(run.kind).summary(counts))
    summary.update(graph_requests=run.graph_requests, duration_seconds=round(run.duration_seconds or 0, 3),
                   error=run.error)
    return summary


def run_progress(run: SyncRun) -> dict:
    """What the Sync Now progress poller needs."""
    return {
        "id": run.pk, "kind": run.kind, "status": run.status, "status_label": run.get_status_display(),
        "trigger": run.trigger, "trigger_label": run.get_trigger_display(), "dry_run": run.dry_run,
        "active": run.is_active, "phase": run.phase, "counts": run.counts or {},
        "graph_requests": run.graph_requests, "error": run.error,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "duration_seconds": round(run.duration_seconds or 0, 1),
    }
