"""Celery entry points for syncs: thin, take ids, call services."""

from celery import shared_task

from integrations.sync.dispatch import dispatch_due_syncs
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


@shared_task(name="sync.refresh_groups")
def refresh_groups(organization_id: int) -> str:
    from integrations.sync.services import groups_refresh
    from organizations.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    return groups_refresh(organization)["status"] if organization else "gone"


@shared_task(name="sync.check_filter")
def check_filter(organization_id: int, odata_filter: str, preview_only: bool) -> str:
    from integrations.sync.services import filter_check_run
    from organizations.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    return filter_check_run(organization, odata_filter, preview_only)["status"] if organization else "gone"
