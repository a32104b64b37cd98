"""Celery entry points for presence: thin, take ids."""

from celery import shared_task

from integrations.connection_client import graph_client_for
from integrations.models import EntraConnection
from presence.services import call_presence_reconcile


@shared_task(name="presence.reconcile_call", acks_late=True, autoretry_for=(ConnectionError,), max_retries=3)
def reconcile_call_presence(extension_id: int) -> str:
    from extensions.models import Extension

    organization_id = Extension.objects.filter(pk=extension_id).values_list("organization_id", flat=True).first()
    connection = EntraConnection.objects.filter(organization_id=organization_id).first()
    if connection is None or not connection.is_configured or connection.syncs_paused:
        return "no usable Entra connection"
    return call_presence_reconcile(extension_id=extension_id, client=graph_client_for(connection),
                                   session_id=connection.client_id)
