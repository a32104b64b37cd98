"""Celery entry points for contacts: thin, take ids, call services."""

from celery import shared_task

from contacts.models import PickerRequest
from contacts.services import picker_request_run


@shared_task(name="contacts.picker")
def picker_run(request_id: int) -> str:
    request = PickerRequest.objects.filter(pk=request_id).first()
    if request is None:
        return "gone"
    return picker_request_run(request=request).status
