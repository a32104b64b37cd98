"""Run records and schedules shared by every sync kind: runs, their events (the sync log), schedules, delta links."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from organizations.audit import audit_field_words
from organizations.models import Organization


class SyncKind(models.TextChoices):
    USERS = "users", "Users and extensions"
    CONTACTS = "contacts", "Outlook contacts"
    PRESENCE = "presence", "Teams presence"


class SyncSchedule(models.Model):
    """When an organization's sync of one kind is next due, and its failure streak / quarantine."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sync_schedules")
    kind = models.CharField(max_length=16, choices=SyncKind.choices)
    interval_seconds = models.PositiveIntegerField(default=300)
    next_run_at = models.DateTimeField(null=True, blank=True, help_text="Empty: due now.")
    consecutive_failures = models.PositiveIntegerField(default=0)
    quarantined_until = models.DateTimeField(null=True, blank=True)
    quarantine_reason = models.TextField(blank=True)
    last_run = models.ForeignKey("SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    safety_net_seconds = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="While change notifications keep this kind current: the polling interval (the safety net). "
                  "Empty: poll at interval_seconds.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], name="sync_schedule_unique")]
        indexes = [models.Index(fields=["kind", "next_run_at"], name="sync_schedule_due")]

    def __str__(self) -> str:
        return f"{self.kind} sync of {self.organization}"

    def quarantined_at(self, now) -> bool:
        """On hold now: the dispatcher starts no run before quarantined_until (a past one no longer holds anything)."""
        return self.quarantined_until is not None and self.quarantined_until > now

    @property
    def quarantined(self) -> bool:
        return self.quarantined_at(timezone.now())

    @property
    def effective_interval_seconds(self) -> int:
        """Polling interval now: the safety net while change notifications work, else the admin's interval."""
        return max(self.interval_seconds, self.safety_net_seconds or 0)


COUNT_WORDS = {"removals_held": "removals waiting for approval", "out_of_scope": "out of scope",
               "purged": "deleted after the grace period", "rejected_earlier": "removals rejected earlier",
               "resyncs": "full re-reads", "skipped": "manual extensions left alone"}
INTERNAL_COUNTS = frozenset({"planned_removals", "held_disabled", "held_deleted"})


class SyncRun(models.Model):
    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Sync Now"
        PREVIEW = "preview", "Preview changes"
        COMMAND = "command", "Command line"
        APPROVAL = "approval", "Approved removals"
        SINGLE_USER = "single_user", "Sync this user"
        SCIM = "scim", "Microsoft Entra provisioning (SCIM)"
        NOTIFICATION = "notification", "Change notification"
        SETTINGS = "settings", "Settings saved"  # the first run after an admin saved a switch on

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        NEEDS_APPROVAL = "needs_approval", "Needs approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Replaced by a later run waiting for approval"
        SKIPPED = "skipped", "Skipped"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=16, choices=SyncKind.choices)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    full = models.BooleanField(default=False, help_text="A full read instead of an incremental (delta) one.")
    dry_run = models.BooleanField(default=False)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=200, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    graph_requests = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The per-organization lock: at most one queued or running run of a kind. A crashed worker's run is
            # recognised by its stale heartbeat and closed before a new one starts (runs.py).
            models.UniqueConstraint(fields=["organization", "kind"], condition=Q(status__in=["queued", "running"]),
                                    name="one_active_sync_per_org_kind"),
        ]
        indexes = [models.Index(fields=["organization", "kind", "-created_at"], name="sync_run_org_kind_recent"),
                   models.Index(fields=["created_at"], name="sync_run_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} run {self.pk} ({self.status})"

    @property
    def counts_in_words(self) -> list[tuple[str, int]]:
        """The run's non-zero counts as an admin reads them ("removals waiting for approval 30")."""
        return [(COUNT_WORDS.get(name) or name.replace("_", " "), value) for name, value in (self.counts or {}).items()
                if value and name not in INTERNAL_COUNTS]

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def duration_seconds(self) -> float | None:
        return run_seconds(self.trigger, self.started_at, self.finished_at, self.heartbeat_at)


def run_seconds(trigger: str, started_at, finished_at, heartbeat_at) -> float | None:
    """How long a run took (so far, while it runs), None before it started. A SCIM "run" is the day's log of the
    requests Microsoft Entra pushed (first request to last), not work that took that long: it has no duration."""
    if not started_at or trigger == SyncRun.Trigger.SCIM:
        return None
    end = finished_at or heartbeat_at or started_at
    return max(0.0, (end - started_at).total_seconds())


class SyncEvent(models.Model):
    """One action of a run, with the fields before and after and the reason: the log the admin reads."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DISABLED = "disabled", "Disabled"
        DELETED = "deleted", "Deleted"
        RESTORED = "restored", "Restored"
        CONFLICT = "conflict", "Conflict"
        SKIPPED = "skipped", "Skipped"
        HELD = "held", "Waiting for approval"
        ERROR = "error", "Error"
        STEP = "step", "Step"
        INFO = "info", "Info"

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="events")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    subject_id = models.CharField(max_length=64, blank=True, help_text="Entra object id (or other source key).")
    subject = models.CharField(max_length=300, blank=True, help_text="Who or what, as an admin reads it.")
    number = models.CharField(max_length=10, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["run", "action"], name="sync_event_run_action"),
                   models.Index(fields=["organization", "subject_id"], name="sync_event_org_subject")]

    def __str__(self) -> str:
        return f"{self.action} {self.subject}"

    def field_changes(self) -> list[dict]:
        """The fields of ``before`` and ``after`` side by side, in first-seen order: name, label (the words an admin
        reads), before, after, changed."""
        before, after = self.before or {}, self.after or {}
        names = list(dict.fromkeys([*before, *after]))
        return [{"name": name, "label": audit_field_words(name), "before": before.get(name), "after": after.get(name),
                 "changed": before.get(name) != after.get(name)} for name in names]


class DeltaCursor(models.Model):
    """A stored @odata.deltaLink: written only after the changes it covers are committed."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=SyncKind.choices)
    key = models.CharField(max_length=300, help_text="What the link covers, e.g. 'users' or a mailbox folder.")
    delta_link = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "key"], name="delta_cursor_unique")]

    def __str__(self) -> str:
        return f"{self.kind} delta link {self.key} of organization {self.organization_id}"
