"""Teams presence: per-organization settings, per-extension presence state, and PBX calls pushed to Teams."""

from django.db import models

from extensions.models import Extension
from organizations.models import Organization
from presence.mapping import DEFAULT_MAPPING, PBX_STATES, UNKNOWN


def default_mapping() -> list[dict]:
    return [dict(rule) for rule in DEFAULT_MAPPING]


class PresenceSettings(models.Model):
    """Integrations > Collaboration > Microsoft Teams Presence (the enable flags live on EntraConnection)."""

    class Direction(models.TextChoices):
        TEAMS_TO_PBX = "teams_to_pbx", "Teams to PBX"
        PBX_TO_TEAMS = "pbx_to_teams", "PBX to Teams"
        BOTH = "both", "Both directions"

    DEFAULT_POLL_SECONDS = 30
    MIN_POLL_SECONDS = 10
    MAX_POLL_SECONDS = 3600

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="presence_settings")
    direction = models.CharField(max_length=16, choices=Direction.choices, default=Direction.BOTH)
    mapping = models.JSONField(default=default_mapping, blank=True)
    poll_interval_seconds = models.PositiveIntegerField(default=DEFAULT_POLL_SECONDS)
    # What the last poll (or call event) learned: the Graph permissions presence needs but lacks, by name.
    missing_permissions = models.JSONField(default=list, blank=True)
    permissions_checked_at = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(null=True, blank=True, help_text="Last poll cycle that read Teams.")
    last_poll_counts = models.JSONField(default=dict, blank=True,
                                        help_text="The last cycle's counts (quiet cycles are not in the sync log).")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Presence settings of {self.organization}"

    @property
    def reads_teams(self) -> bool:
        return self.direction in (self.Direction.TEAMS_TO_PBX, self.Direction.BOTH)

    @property
    def writes_teams(self) -> bool:
        return self.direction in (self.Direction.PBX_TO_TEAMS, self.Direction.BOTH)


class ExtensionPresence(models.Model):
    """The Teams presence of one extension's user, written only when it changes.

    ``changed_at`` is when a poll first saw this state (the age shown to admins). ``unavailable_since`` is set
    while Teams has no presence for the user (no Teams license, or not found); such users are re-checked only
    at ``recheck_at``, not on every cycle. ``teams_session_until`` is when the PBX's own setPresence session on
    this user expires (None: no session set by the PBX).
    """

    extension = models.OneToOneField(Extension, on_delete=models.CASCADE, primary_key=True, related_name="presence")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    availability = models.CharField(max_length=32, blank=True)
    activity = models.CharField(max_length=32, blank=True)
    pbx_state = models.CharField(max_length=16, choices=PBX_STATES, default=UNKNOWN)
    changed_at = models.DateTimeField(null=True, blank=True)
    unavailable_since = models.DateTimeField(null=True, blank=True)
    recheck_at = models.DateTimeField(null=True, blank=True)
    teams_session_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "recheck_at"], name="presence_org_recheck")]

    def __str__(self) -> str:
        return f"{self.extension_id}: {self.availability}/{self.activity} -> {self.pbx_state}"


class PbxCall(models.Model):
    """A PBX call of an extension, from the call engine's started/ended events (PBX to Teams)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    extension = models.ForeignKey(Extension, on_delete=models.CASCADE, related_name="pbx_calls")
    call_id = models.CharField(max_length=128)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "extension", "call_id"],
                                               name="pbx_call_unique")]
        indexes = [models.Index(fields=["extension", "ended_at"], name="pbx_call_ext_open")]

    def __str__(self) -> str:
        return f"call {self.call_id} of extension {self.extension_id}"
