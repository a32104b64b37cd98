"""The sync log is kept for SYNC_LOG_RETENTION_DAYS (setting), then purged by a daily task.

Presence runs every 10-60 s: a run that succeeded (or was skipped) and logged no event is purged after
PRESENCE_LOG_RETENTION_HOURS; presence runs that failed or reported something follow the general retention.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.sync.models import SyncKind, SyncRun


def purge_sync_log(now=None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SYNC_LOG_RETENTION_DAYS)
    old = SyncRun.objects.filter(created_at__lt=cutoff).exclude(status__in=SyncRun.ACTIVE_STATUSES)
    deleted, _ = old.delete()
    quiet_cutoff = now - timedelta(hours=getattr(settings, "PRESENCE_LOG_RETENTION_HOURS", 24))
    quiet_presence = (SyncRun.objects.filter(kind=SyncKind.PRESENCE, created_at__lt=quiet_cutoff,
                                             status__in=(SyncRun.Status.SUCCEEDED, SyncRun.Status.SKIPPED))
                      .filter(events__isnull=True))
    quiet_deleted, _ = SyncRun.objects.filter(pk__in=quiet_presence.values("pk")).delete()
    return deleted + quiet_deleted
