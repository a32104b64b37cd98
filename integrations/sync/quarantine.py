"""After a run: when the next one is due, the failure streak, and quarantine with back-off after repeated failures."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from integrations.sync.models import SyncKind, SyncRun, SyncSchedule
from integrations.sync.registry import kind_spec

logger = logging.getLogger(__name__)

QUARANTINE_AFTER_FAILURES = 5
QUARANTINE_BASE = timedelta(minutes=15)
QUARANTINE_MAX = timedelta(hours=24)
SCHEDULING_TRIGGERS = (SyncRun.Trigger.SCHEDULE, SyncRun.Trigger.MANUAL, SyncRun.Trigger.COMMAND,
                       SyncRun.Trigger.APPROVAL, SyncRun.Trigger.NOTIFICATION, SyncRun.Trigger.SETTINGS)


def schedule_for(organization, kind: str) -> SyncSchedule:
    schedule, _ = SyncSchedule.objects.get_or_create(
        organization=organization, kind=kind,
        defaults={"interval_seconds": kind_spec(kind).default_interval_seconds})
    return schedule


def quarantine_backoff(failures: int) -> timedelta:
    steps = max(0, failures - QUARANTINE_AFTER_FAILURES)
    return min(QUARANTINE_BASE * (2 ** min(steps, 10)), QUARANTINE_MAX)


def schedule_after_run(run: SyncRun, now=None) -> SyncSchedule | None:
    if run.trigger not in SCHEDULING_TRIGGERS:
        return None
    now = now or timezone.now()
    schedule = schedule_for(run.organization, run.kind)
    schedule.last_run = run
    schedule.next_run_at = now + timedelta(seconds=schedule.effective_interval_seconds)
    if run.status == SyncRun.Status.FAILED:
        schedule.consecutive_failures += 1
        if schedule.consecutive_failures >= QUARANTINE_AFTER_FAILURES:
            entering = schedule.quarantined_until is None
            schedule.quarantined_until = now + quarantine_backoff(schedule.consecutive_failures)
            schedule.quarantine_reason = (
                f"{schedule.consecutive_failures} runs in a row failed; the last error: {run.error}")
            schedule.next_run_at = max(schedule.next_run_at, schedule.quarantined_until)
            if entering:
                _mail_admins(run, schedule)
    elif run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.NEEDS_APPROVAL):
        # While removals wait for approval, automatic runs go on creating and updating: only the removals wait.
        schedule.consecutive_failures = 0
        schedule.quarantined_until = None
        schedule.quarantine_reason = ""
    # Only the fields decided here: the interval and safety net belong to the settings pages and the notification
    # upkeep, which may change them while the run was going.
    schedule.save(update_fields=["last_run", "next_run_at", "consecutive_failures", "quarantined_until",
                                 "quarantine_reason"])
    return schedule


def quarantine_lift(schedule: SyncSchedule) -> None:
    """An admin's Sync Now, or a fixed connection, ends quarantine: the next run is due at once."""
    SyncSchedule.objects.filter(pk=schedule.pk).update(quarantined_until=None, quarantine_reason="",
                                                       consecutive_failures=0, next_run_at=None)


def _mail_admins(run: SyncRun, schedule: SyncSchedule) -> None:
    recipients = list(run.organization.memberships.exclude(user__email="").values_list("user__email", flat=True))
    if not recipients:
        return
    label = SyncKind(run.kind).label
    try:
        send_mail(
            subject=f"[PBX portal] {label} synchronization is failing",
            message=(
                f"The {label.lower()} synchronization of {run.organization} failed {schedule.consecutive_failures} "
                f"times in a row. It now retries less often (next attempt after "
                f"{schedule.quarantined_until:%Y-%m-%d %H:%M} UTC).\n\nLast error: {run.error}\n\n"
                "Nothing was removed from the PBX because of these failures. Open the sync log to see each run, "
                f"fix the cause, then click Sync Now:\n{settings.PUBLIC_BASE_URL}/integrations/sync/log/\n"),
            from_email=None, recipient_list=recipients)
    except OSError:
        logger.exception("Could not mail the quarantine notice for organization %s", run.organization_id)
