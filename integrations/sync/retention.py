"""The sync log is kept for SYNC_LOG_RETENTION_DAYS (setting), then purged by a daily task."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.sync.models import SyncRun


def purge_sync_log(now=None) -> int:
    cutoff = (now or timezone.now()) - timedelta(days=settings.SYNC_LOG_RETENTION_DAYS)
    old = SyncRun.objects.filter(created_at__lt=cutoff).exclude(status__in=SyncRun.ACTIVE_STATUSES)
    deleted, _ = old.delete()
    return deleted
