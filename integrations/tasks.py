"""Celery entry points: thin wrappers that load ids and call services."""

from celery import shared_task
from django.contrib.auth import get_user_model

from integrations.credential_health import configured_connection_ids, credential_health_check
from integrations.models import EntraConnection
from integrations.services import connection_test_run


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


@shared_task
def run_connection_test(connection_id: int, actor_id: int | None = None) -> str:
    """Test Connection, queued by the Entra page: the web process never waits on Microsoft."""
    connection = EntraConnection.objects.select_related("organization").filter(pk=connection_id).first()
    if connection is None:
        return "connection deleted"
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    outcome = connection_test_run(connection=connection, actor=actor)
    return "passed" if outcome.ok else f"failed ({outcome.first_failure.key})"
