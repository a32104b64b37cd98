"""User provisioning's settings (Integrations > Microsoft Entra ID > User Synchronization) and the tenant's group
list cached for the picker. The tables keep the names they had when these models lived in the sync app."""

from django.db import models

from integrations.graph.users import NUMBER_SOURCES
from organizations.models import Organization


class UserSyncSettings(models.Model):
    """Integrations > Microsoft Entra ID > User Synchronization."""

    class Scope(models.TextChoices):
        ALL = "all", "All users"
        GROUPS = "groups", "Specific groups"
        FILTER = "filter", "Custom filter"

    class DisabledAccounts(models.TextChoices):
        REMOVE = "remove", "Enabled accounts only (a disabled account's extension is removed)"
        KEEP = "keep", "Keep disabled accounts as disabled extensions"

    class Numbering(models.TextChoices):
        AUTO = "auto", "Automatic, from a range"
        ATTRIBUTE = "attribute", "From an Entra attribute"

    class NumberRule(models.TextChoices):
        LAST_DIGITS = "last_digits", "Last N digits"
        ALL_DIGITS = "all_digits", "All digits"

    NUMBER_ATTRIBUTES = NUMBER_SOURCES

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="user_sync_settings")
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.ALL)
    include_guests = models.BooleanField("Include guest users", default=False)
    disabled_accounts = models.CharField(max_length=8, choices=DisabledAccounts.choices,
                                         default=DisabledAccounts.REMOVE)
    groups = models.JSONField(default=list, blank=True, help_text='[{"id": ..., "name": ...}]')
    custom_filter = models.TextField(blank=True)
    filter_check = models.JSONField(default=dict, blank=True,
                                    help_text="Graph's verdict on custom_filter: status, message, count, sample.")
    filter_preview = models.JSONField(default=dict, blank=True, help_text="The last Preview of a typed filter.")
    groups_refresh = models.JSONField(default=dict, blank=True, help_text="The last refresh of the group list.")
    pending_change = models.JSONField(
        default=dict, blank=True,
        help_text="A saved form Microsoft Graph must accept first (filter, groups): not in effect until it does.")
    numbering = models.CharField(max_length=10, choices=Numbering.choices, default=Numbering.AUTO)
    range_start = models.PositiveIntegerField(default=1000)
    range_end = models.PositiveIntegerField(default=8999)
    reserved_numbers = models.TextField(blank=True, help_text="Numbers and ranges never assigned, e.g. 1000-1009, 1111")
    number_attribute = models.CharField(max_length=24, default=NUMBER_SOURCES[0])
    number_rule = models.CharField(max_length=12, choices=NumberRule.choices, default=NumberRule.LAST_DIGITS)
    number_digits = models.PositiveSmallIntegerField(default=4)
    removal_grace_days = models.PositiveIntegerField(null=True, blank=True, default=30,
                                                     help_text="Empty: never delete, keep disabled.")
    threshold_percent = models.PositiveSmallIntegerField(default=10)
    threshold_count = models.PositiveIntegerField(default=50)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sync_usersyncsettings"

    def __str__(self) -> str:
        return f"User sync settings of {self.organization}"

    def removal_limit(self, synced_count: int) -> int:
        """Removals a run may make without approval: 10% of synced extensions or 50, whichever is smaller."""
        return min(synced_count * self.threshold_percent // 100, self.threshold_count)


class DirectoryGroup(models.Model):
    """The tenant's groups, cached for the group picker (refreshed by a task: the web never waits on Graph)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    entra_id = models.CharField(max_length=64)
    name = models.CharField(max_length=256)
    mail = models.CharField(max_length=256, blank=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        db_table = "sync_directorygroup"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "entra_id"], name="directory_group_unique")]

    def __str__(self) -> str:
        return self.name


class RejectedRemoval(models.Model):
    """A removal an admin rejected: not planned again while the user looks the same in Entra (same signature)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    entra_object_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=64, help_text="What the user looked like when the removal was rejected.")
    run = models.ForeignKey("sync.SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rejected_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "entra_object_id"],
                                               name="rejected_removal_unique")]

    def __str__(self) -> str:
        return f"Rejected removal of {self.entra_object_id}"
