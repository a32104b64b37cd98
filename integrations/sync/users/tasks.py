"""Celery entry points of user provisioning's settings page: thin, take ids, call services."""

from celery import shared_task

from integrations.sync.users.numbering_preview import numbering_preview_run
from integrations.sync.users.services import filter_check_run, groups_refresh, pending_change_run
from organizations.models import Organization


@shared_task(name="sync.refresh_groups")
def refresh_groups(organization_id: int) -> str:
    organization = Organization.objects.filter(pk=organization_id).first()
    return groups_refresh(organization)["status"] if organization else "gone"


@shared_task(name="sync.check_filter")
def check_filter(organization_id: int, odata_filter: str, preview_only: bool) -> str:
    organization = Organization.objects.filter(pk=organization_id).first()
    return filter_check_run(organization, odata_filter, preview_only)["status"] if organization else "gone"


@shared_task(name="sync.check_settings")
def check_settings(organization_id: int) -> str:
    organization = Organization.objects.filter(pk=organization_id).first()
    return pending_change_run(organization)["status"] if organization else "gone"


@shared_task(name="sync.numbering_preview")
def numbering_preview(organization_id: int, preview_id: str, values: dict) -> str:
    organization = Organization.objects.filter(pk=organization_id).first()
    return numbering_preview_run(organization, preview_id, values)["status"] if organization else "gone"
