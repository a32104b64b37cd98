"""PBX extensions: one row per phone extension of an organization."""

from django.db import models
from django.db.models.functions import Length, Upper

from extensions.validators import EXTENSION_NUMBER_HELP, validate_extension_number
from organizations.models import Organization


class ExtensionQuerySet(models.QuerySet):
    def for_organization(self, organization: Organization):
        return self.filter(organization=organization)

    def search(self, query: str):
        query = query.strip()
        if not query:
            return self
        return self.filter(
            models.Q(number__startswith=query)
            | models.Q(display_name__icontains=query)
            | models.Q(email__icontains=query)
            | models.Q(department__icontains=query)
        )


class Extension(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DISABLED = "disabled", "Disabled"

    class Source(models.TextChoices):
        MANUAL = "manual", "Manual"
        ENTRA = "entra", "Microsoft Entra ID"

    class SyncState(models.TextChoices):
        SYNCED = "synced", "In sync"
        CONFLICT = "conflict", "Conflict"
        REMOVED = "removed", "Removed from scope"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="extensions")
    number = models.CharField(max_length=10, validators=[validate_extension_number], help_text=EXTENSION_NUMBER_HELP)
    display_name = models.CharField(max_length=256)
    first_name = models.CharField(max_length=64, blank=True)
    last_name = models.CharField(max_length=64, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    job_title = models.CharField(max_length=128, blank=True)
    department = models.CharField(max_length=128, blank=True)
    mobile_phone = models.CharField(max_length=32, blank=True)
    business_phone = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    entra_object_id = models.UUIDField(null=True, blank=True)
    # Set by user sync on Entra-managed extensions.
    entra_upn = models.CharField("Entra user principal name", max_length=254, blank=True)
    sync_state = models.CharField(max_length=16, choices=SyncState.choices, blank=True)
    sync_message = models.CharField(max_length=300, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True, help_text="When sync disabled it; deleted after the grace"
                                                                      " period unless the user comes back.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="extension_number_unique_per_org"),
            models.UniqueConstraint(
                fields=["organization", "entra_object_id"],
                condition=models.Q(entra_object_id__isnull=False),
                name="extension_entra_object_unique_per_org",
            ),
        ]
        indexes = [
            models.Index("organization", Length("number"), "number", name="extension_number_natural"),
            models.Index(fields=["organization", "display_name"], name="extension_org_name"),
            # SCIM's create adopts an extension synced earlier by user principal name, case-insensitively.
            models.Index(Upper("entra_upn"), "organization", name="extension_org_upn_upper"),
            models.Index(fields=["organization", "email"], name="extension_org_email"),
            models.Index(fields=["organization", "status"], name="extension_org_status"),
            models.Index(fields=["organization", "source", "sync_state"], name="extension_org_sync_state"),
            # Caller-ID lookup by a colleague's phone (contacts.selectors.caller_id_lookup).
            models.Index(fields=["organization", "mobile_phone"], name="extension_org_mobile"),
            models.Index(fields=["organization", "business_phone"], name="extension_org_business"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.display_name}"


class ExtensionGroup(models.Model):
    """A PBX extension group (ring groups, department directory), kept in sync with an Entra group."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="extension_groups")
    name = models.CharField(max_length=256)
    entra_group_id = models.UUIDField(null=True, blank=True)
    members = models.ManyToManyField(Extension, related_name="extension_groups", blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "entra_group_id"],
                                    condition=models.Q(entra_group_id__isnull=False),
                                    name="extension_group_entra_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class RetainedNumber(models.Model):
    """The number of an Entra user whose extension was deleted: kept for them for life, never given to others."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    entra_object_id = models.UUIDField()
    number = models.CharField(max_length=10)
    holder_name = models.CharField(max_length=300, blank=True,
                                   help_text="Who it is kept for (as the sync log names them).")
    retained_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "entra_object_id"], name="retained_number_user_unique"),
            models.UniqueConstraint(fields=["organization", "number"], name="retained_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} retained for {self.entra_object_id}"

    @property
    def holder(self) -> str:
        return self.holder_name or f"the Entra user {self.entra_object_id}"
