"""Near real-time updates: the admin's switch per sync kind, and each Graph subscription the portal holds."""

import hashlib
import hmac
import secrets

from django.db import models

from organizations.models import Organization


class RealtimeSwitch(models.Model):
    """"Near real-time updates" on User Synchronization (users) and Collaboration (contacts). No row: the default
    (on when the notification URL is HTTPS)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], name="realtime_switch_unique")]

    def __str__(self) -> str:
        return f"Near real-time {self.kind} of {self.organization}: {'on' if self.enabled else 'off'}"


class Subscription(models.Model):
    """One Graph change-notification subscription. The clientState secret is sent to Graph once, at creation, and
    kept here only as its SHA-256 (a notification's clientState is checked against it in constant time)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being created"
        ACTIVE = "active", "Active"
        FAILING = "failing", "Failing: polling instead"
        REMOVED = "removed", "Removed by Microsoft: being replaced"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, help_text="The sync kind a notification triggers (users, contacts).")
    resource = models.CharField(max_length=300)
    change_type = models.CharField(max_length=64)
    target_key = models.CharField(max_length=64, blank=True, help_text="The mailbox (contacts) it covers.")
    graph_id = models.CharField(max_length=64, blank=True, db_index=True)
    tenant_id = models.CharField(max_length=36, blank=True, help_text="The directory tenant GUID it belongs to.")
    client_state_hash = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    last_notification_at = models.DateTimeField(null=True, blank=True)
    notifications = models.PositiveIntegerField(default=0)
    renewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "resource"]
        constraints = [models.UniqueConstraint(fields=["organization", "resource"],
                                               name="realtime_subscription_unique")]
        indexes = [models.Index(fields=["status", "expires_at"], name="realtime_subscription_due")]

    def __str__(self) -> str:
        return f"{self.resource} of {self.organization} ({self.status})"

    def new_client_state(self) -> str:
        """A fresh secret for Graph (128 characters at most); only its hash stays here."""
        secret = secrets.token_urlsafe(48)
        self.client_state_hash = client_state_hash(secret)
        return secret

    def client_state_matches(self, presented: str | None) -> bool:
        return bool(self.client_state_hash) and hmac.compare_digest(
            client_state_hash(presented or ""), self.client_state_hash)


def client_state_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
