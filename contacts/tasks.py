"""Celery entry points for contacts: thin, take ids, call services."""

from celery import shared_task

from contacts.models import PickerRequest
from contacts.services import picker_request_run
from contacts.settings_check import contact_settings_check
from organizations.models import Organization


@shared_task(name="contacts.picker")
def picker_run(request_id: int) -> str:
    request = PickerRequest.objects.filter(pk=request_id).first()
    if request is None:
        return "gone"
    return picker_request_run(request=request).status


@shared_task(name="contacts.check_settings")
def check_settings(organization_id: int) -> str:
    organization = Organization.objects.filter(pk=organization_id).first()
    return contact_settings_check(organization)["status"] if organization else "gone"
