"""Celery entry points of near real-time updates: thin, take ids, call one service."""

from celery import shared_task

from integrations.sync.realtime.coalesce import RunInProgress, notification_received
from integrations.sync.realtime.maintenance import maintenance_due
from integrations.sync.realtime.services import (
    retired_subscriptions_delete,
    subscription_lifecycle,
    subscriptions_maintain,
)
from organizations.models import Organization

FOLLOW_UP_POLL_SECONDS = 2


@shared_task(name="realtime.notified", bind=True, max_retries=None, ignore_result=True)
def notified(self, organization_id: int, kind: str, key: str, received_at: str | None = None) -> str:
    try:
        return notification_received(organization_id, kind, key, received_at)
    except RunInProgress as busy:
        raise self.retry(countdown=FOLLOW_UP_POLL_SECONDS, exc=busy) from None


@shared_task(name="realtime.lifecycle", acks_late=True)
def lifecycle(subscription_id: int, event: str) -> str:
    return subscription_lifecycle(subscription_id, event)


@shared_task(name="realtime.maintain", acks_late=True)
def maintain(organization_id: int, force_renew: bool = False) -> dict:
    organization = Organization.objects.filter(pk=organization_id).first()
    return subscriptions_maintain(organization, force_renew=force_renew) if organization else {}


@shared_task(name="realtime.maintain_due", ignore_result=True)
def maintain_due() -> int:
    return maintenance_due()


@shared_task(name="realtime.delete_retired", acks_late=True)
def delete_retired(organization_id: int, sealed: str, graph_ids: list[str]) -> dict:
    """The subscriptions of a retired connection, at Microsoft (the organization may be gone: nothing is loaded)."""
    return retired_subscriptions_delete(organization_id, sealed, graph_ids)
