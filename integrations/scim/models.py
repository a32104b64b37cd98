"""SCIM provisioning: whether an organization takes its users from Microsoft Entra provisioning (push), the Secret
Tokens Entra presents, and the SCIM resources it wrote (Users map to extensions, Groups to extension groups)."""

import uuid

from django.conf import settings
from django.db import models

from organizations.models import Organization


class ScimProvisioning(models.Model):
    """SCIM push switched on or off for an organization (Graph pull is the other choice, on User Synchronization)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="scim_provisioning")
    enabled = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SCIM provisioning"

    def __str__(self) -> str:
        return f"SCIM provisioning of {self.organization} ({'on' if self.enabled else 'off'})"


class ScimToken(models.Model):
    """The Secret Token of Microsoft's provisioning configuration: shown once, only its SHA-256 is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_tokens")
    prefix = models.CharField(max_length=20)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "revoked_at"], name="scim_token_org_active")]

    def __str__(self) -> str:
        return f"SCIM token {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScimResource(models.Model):
    """A SCIM User or Group as the provisioning service wrote it (the document the protocol core works on).

    A User's id is the entra_object_id of its extension; a Group's id is the entra_group_id of its extension group.
    """

    class Kind(models.TextChoices):
        USER = "User", "User"
        GROUP = "Group", "Group"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name_key = models.CharField(max_length=512, help_text="userName (Users) or displayName (Groups), lower-cased.")
    external_id = models.CharField(max_length=512, blank=True)
    document = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "name_key"],
                                               name="scim_resource_name_unique")]
        indexes = [models.Index(fields=["organization", "kind", "external_id"], name="scim_resource_external")]

    def __str__(self) -> str:
        return f"SCIM {self.kind} {self.name_key}"
