"""A coalesced notification becomes the kind's normal delta run (Celery side of inbox.py).

The first notification of a window queued this; when it runs, every notification of the window is counted on its
subscription and one run is requested. A queued run already covers the change (it has not read yet); a run that
is already reading may have missed it, so the task waits for it to end and requests a follow-up run.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.models import EntraConnection
from integrations.sync.models import SyncRun
from integrations.sync.realtime.inbox import seen_key
from integrations.sync.realtime.models import Subscription
from integrations.sync.registry import why_not_runnable
from integrations.sync.runs import run_request
from organizations.models import Organization

logger = logging.getLogger(__name__)


class RunInProgress(Exception):
    """The kind's run is reading now: ask again when it has finished."""


def notification_received(organization_id: int, kind: str, key: str, received_at: str | None = None) -> str:
    record_counts(organization_id, kind, key, parse_datetime(received_at or "") or timezone.now())
    organization = Organization.objects.filter(pk=organization_id).first()
    connection = EntraConnection.objects.filter(organization_id=organization_id).first()
    if organization is None or why_not_runnable(connection, kind):
        return "not runnable"
    options = {"mailboxes": [key]} if key else {}
    run, created = run_request(organization=organization, kind=kind, trigger=SyncRun.Trigger.NOTIFICATION,
                               options=options)
    if created:
        return f"run {run.pk} queued"
    if run.status == SyncRun.Status.QUEUED and _covers(run, key):
        return f"coalesced into queued run {run.pk}"
    if run.status == SyncRun.Status.QUEUED and key and SyncRun.objects.filter(
            pk=run.pk, status=SyncRun.Status.QUEUED).update(
            options={**run.options, "mailboxes": sorted({*run.options.get("mailboxes", []), key})}):
        return f"added to queued run {run.pk}"
    raise RunInProgress(f"run {run.pk} is {run.status}")


def _covers(run: SyncRun, key: str) -> bool:
    mailboxes = (run.options or {}).get("mailboxes")
    return not mailboxes or not key or key in mailboxes


def record_counts(organization_id: int, kind: str, key: str, received_at) -> None:
    """Move the inbox's counters (cache) to the subscriptions' rows: how many arrived, and when (the window's
    first notification: the last one came at most one window later)."""
    pks = list(Subscription.objects.filter(organization_id=organization_id, kind=kind, target_key=key)
               .values_list("pk", flat=True))
    values = cache.get_many([seen_key(pk) for pk in pks])
    for pk in pks:
        seen = int(values.get(seen_key(pk)) or 0)
        if not seen:
            continue
        Subscription.objects.filter(pk=pk).update(notifications=F("notifications") + seen,
                                                  last_notification_at=received_at)
        try:
            cache.decr(seen_key(pk), seen)
        except ValueError:
            pass
