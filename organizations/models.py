"""Tenancy: an Organization is one PBX customer; portal admins belong to exactly one."""

from django.conf import settings
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    default_region = models.CharField(
        max_length=2,
        default="US",
        help_text="ISO 3166 country code used to read phone numbers written without a country code.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        help_text="IANA time zone the portal shows times in (exports and APIs stay in UTC).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Makes a Django user an administrator of one organization."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class AuditEntry(models.Model):
    """Who changed what, when. ``changes`` maps field -> [before, after]; secrets appear only as "(changed)"."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=80)
    target = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"


class ApiScope(models.TextChoices):
    """What an organization API key may do; chosen when the key is created."""

    CALLER_ID = "caller-id", "Caller ID: the company directory and colleagues"
    CALLER_ID_PERSONAL = "caller-id-personal", "Caller ID with the called user's own Outlook contacts"
    CALL_EVENTS = "call-events", "Call events: calls started and ended (Teams presence)"


DEFAULT_API_SCOPES = (ApiScope.CALLER_ID.value, ApiScope.CALL_EVENTS.value)


def default_api_scopes() -> list[str]:
    return list(DEFAULT_API_SCOPES)


class OrganizationApiKey(models.Model):
    """A key the PBX (or another machine) presents as ``Authorization: Bearer <key>`` to act for one organization.

    Only a SHA-256 hash of the key is stored; the plaintext is shown once, at creation. ``prefix`` is the
    non-secret head of the key so admins can tell keys apart. ``scopes`` (ApiScope values) say what it may do;
    ``legacy_scopes`` marks keys created before scopes existed, which kept every scope they effectively had.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=20)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(default=default_api_scopes)
    legacy_scopes = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "organization API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def scope_labels(self) -> list[str]:
        return [ApiScope(scope).label for scope in ApiScope.values if scope in (self.scopes or [])]


class SignInFailureCount(models.Model):
    """Failed sign-ins counted in a window, for one of three keys (organizations.sign_in_throttle has the policy):
    an account from one address and an address (both lock when over their limit), and an account from anywhere
    (never locks; slows down attempts from addresses that have failed). Operators see and clear them in /operator/.
    """

    class Realm(models.TextChoices):
        ADMIN = "admin", "Portal administrators"
        UC = "uc", "UC Client (PBX password)"

    class Kind(models.TextChoices):
        ACCOUNT_AT_ADDRESS = "account_address", "Account from one address"
        ADDRESS = "address", "Address (any account)"
        ACCOUNT = "account", "Account (any address)"

    realm = models.CharField(max_length=8, choices=Realm.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    username = models.CharField(max_length=254, blank=True)  # lower-cased; "" for an address
    ip_address = models.CharField("address", max_length=45, blank=True)  # "" for an account from anywhere
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)  # the counting window's end, or the lock's

    class Meta:
        ordering = ["-last_failure_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["realm", "kind", "username", "ip_address"],
                                               name="sign_in_failure_count_key")]
        verbose_name = "sign-in lock or failure count"
        verbose_name_plural = "sign-in locks and failure counts"

    def __str__(self) -> str:
        return f"{self.get_realm_display()}: {self.username or '*'} from {self.ip_address or '*'}"
