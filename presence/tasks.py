"""Celery entry points for presence: thin, take ids, own the retries."""

import random

from celery import shared_task

from integrations.graph import GraphConnectionError, GraphThrottled, GraphUnavailable
from presence.services import call_presence_write_back

# What a later attempt can fix: no answer (the connection dropped), throttled (429/503 beyond the client's own
# retries), or a 500/502/504. The client never repeats a write after a dropped connection or a 5xx (Graph does
# not document setPresence/clearPresence as idempotent); this task may, because each attempt re-reads the calls
# and converges (setting the same session again only renews it; a clear that finds no session is done).
RETRYABLE = (GraphConnectionError, GraphThrottled, GraphUnavailable)
MAX_RETRIES = 8
MAX_BACKOFF = 60.0


def retry_countdown(exc: Exception, retries: int) -> float:
    """Graph's Retry-After when it sent one, else exponential backoff with jitter (1, 2, 4, ... 60 s)."""
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        return retry_after
    ceiling = min(MAX_BACKOFF, 2.0 ** retries)
    return ceiling / 2 + random.random() * ceiling / 2


@shared_task(bind=True, name="presence.reconcile_call", acks_late=True, max_retries=MAX_RETRIES)
def reconcile_call_presence(self, extension_id: int) -> str:
    try:
        return call_presence_write_back(extension_id=extension_id)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(exc, self.request.retries)) from exc
