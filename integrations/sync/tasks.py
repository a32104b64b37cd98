"""Celery entry points of the run machinery: thin, take ids, call services."""

from celery import shared_task

from integrations.sync.dispatch import dispatch_due_syncs, sync_housekeeping
from integrations.sync.retention import purge_sync_log
from integrations.sync.runs import run_execute


@shared_task(name="sync.run", acks_late=True)
def run_sync(run_id: int) -> str:
    run = run_execute(run_id)
    return f"run {run_id}: {run.status if run else 'not ours'}"


@shared_task(name="sync.dispatch", ignore_result=True)
def dispatch_due() -> dict:
    return dispatch_due_syncs()


@shared_task(name="sync.purge_log", ignore_result=True)
def purge_log() -> int:
    return purge_sync_log()


@shared_task(name="sync.housekeeping", ignore_result=True)
def housekeeping() -> dict:
    return sync_housekeeping()
