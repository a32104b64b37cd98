"""Celery entry points: thin wrappers that load ids and call services."""

from celery import shared_task

from integrations.credential_health import configured_connection_ids, credential_health_check
from integrations.models import EntraConnection


@shared_task
def check_all_credentials() -> str:
    ids = configured_connection_ids()
    for connection_id in ids:
        check_credentials.delay(connection_id)
    return f"queued {len(ids)} credential check(s)"


@shared_task
def check_credentials(connection_id: int) -> str:
    connection = EntraConnection.objects.select_related("organization").filter(pk=connection_id).first()
    if connection is None:
        return "connection deleted"
    return credential_health_check(connection=connection)
