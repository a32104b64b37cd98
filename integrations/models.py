"""The connection of an organization's PBX to its Microsoft Entra tenant."""

import re
from datetime import UTC, datetime, time

from django.db import models
from django.utils import timezone

from organizations.models import Organization
from pbx_portal.encryption import EncryptedTextField

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class EntraConnection(models.Model):
    FEATURE_FIELDS = ("feature_user_sync", "feature_group_scope", "feature_contacts", "feature_presence",
                      "feature_presence_writeback")

    class CredentialType(models.TextChoices):
        SECRET = "secret", "Client secret"
        CERTIFICATE = "certificate", "Certificate"

    class Status(models.TextChoices):
        NOT_CONFIGURED = "not_configured", "Not configured"
        UNTESTED = "untested", "Not tested"
        CONNECTED = "connected", "Connected"
        ERROR = "error", "Error"

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="entra_connection")
    tenant_id = models.CharField("Tenant ID", max_length=255, blank=True)
    client_id = models.CharField("Application (client) ID", max_length=36, blank=True)
    credential_type = models.CharField(max_length=16, choices=CredentialType.choices, default=CredentialType.SECRET)
    client_secret = EncryptedTextField(blank=True)
    secret_expires_on = models.DateField(
        null=True, blank=True, help_text="The expiry date shown in Entra when the secret was created."
    )
    certificate_private_key = EncryptedTextField(blank=True)
    certificate_pem = models.TextField(blank=True)
    certificate_thumbprint = models.CharField(max_length=64, blank=True)
    certificate_expires_at = models.DateTimeField(null=True, blank=True)

    # Features the admin enabled: they decide which Graph permissions are required. Every one starts off: only the
    # admin saving a feature's own page with its switch on turns it on (nothing syncs before it was asked for).
    feature_user_sync = models.BooleanField("User and extension provisioning", default=False)
    feature_group_scope = models.BooleanField("Sync members of chosen groups only", default=False)
    feature_contacts = models.BooleanField("Outlook and shared-mailbox contacts", default=False)
    feature_presence = models.BooleanField("Teams presence to the PBX", default=False)
    feature_presence_writeback = models.BooleanField("PBX calls to Teams presence", default=False)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_CONFIGURED)
    status_detail = models.TextField(blank=True)
    syncs_paused = models.BooleanField(default=False, help_text="Set when the credential is expired or rejected.")
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_test_results = models.JSONField(default=list, blank=True)
    # Test Connection runs in a worker: when it was queued (None when no test runs) and the checks done so far.
    test_started_at = models.DateTimeField(null=True, blank=True)
    test_progress = models.JSONField(default=list, blank=True)
    graph_secret_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Expiry read from Graph (/applications) during the last test."
    )
    last_expiry_warning_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # Read from Graph by Test Connection (and each user sync): they route UC sign-ins and check the SSO setup.
    directory_tenant_id = models.CharField(
        max_length=36, blank=True, help_text="The tenant's GUID (the tid of its tokens), even if Tenant ID is a domain."
    )
    verified_domains = models.JSONField(
        default=list, blank=True, help_text="The tenant's verified domain names (Graph /organization), lower case."
    )
    app_redirect_uris = models.JSONField(
        null=True, blank=True,
        help_text="The Redirect URIs of the app registration's web platform (None: not readable).",
    )
    credentials_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Entra connection of {self.organization}"

    @property
    def is_configured(self) -> bool:
        has_credential = bool(self.client_secret) if self.credential_type == self.CredentialType.SECRET else bool(
            self.certificate_private_key and self.certificate_thumbprint
        )
        return bool(self.tenant_id and self.client_id and has_credential)

    @property
    def expected_tenant_id(self) -> str:
        """The tenant GUID sign-ins must come from: the pinned tid, else the Tenant ID when it is a GUID."""
        if self.directory_tenant_id:
            return self.directory_tenant_id.lower()
        return self.tenant_id.lower() if GUID_RE.match(self.tenant_id or "") else ""

    @property
    def secret_suffix(self) -> str:
        return self.client_secret[-3:] if self.client_secret else ""

    @property
    def credential_expires_at(self):
        """Best known expiry of the credential in use: Graph's answer, else what the admin entered."""
        if self.credential_type == self.CredentialType.CERTIFICATE:
            return self.certificate_expires_at
        return self.graph_secret_expires_at or self.entered_secret_expires_at

    @property
    def entered_secret_expires_at(self):
        """The expiry date the admin entered, as the start of that day (UTC)."""
        if self.secret_expires_on is None:
            return None
        return datetime.combine(self.secret_expires_on, time.min, tzinfo=UTC)

    def days_until_expiry(self, now=None) -> int | None:
        """Calendar days (UTC) from today to the expiry date: 0 on the day it expires, negative after."""
        expires = self.credential_expires_at
        if expires is None:
            return None
        return calendar_days_between(now or timezone.now(), expires)

    def credential_expired(self, now=None) -> bool:
        """Past its expiry: a day after the date the admin entered (it ends at some time that day), or at once past
        the exact instant Graph or the certificate gives."""
        days = self.days_until_expiry(now)
        if days is None:
            return False
        exact = self.certificate_expires_at if self.credential_type == self.CredentialType.CERTIFICATE else \
            self.graph_secret_expires_at
        return days < 0 or (exact is not None and exact <= (now or timezone.now()))


def calendar_days_between(start: datetime, end: datetime) -> int:
    return (end.astimezone(UTC).date() - start.astimezone(UTC).date()).days
