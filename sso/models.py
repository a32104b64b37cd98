"""Single sign-on: the organization's SSO settings, the sign-in log, UC Client credentials and native-app tokens.

Bindings of UC users to Entra users live on the extension itself (Extension.entra_object_id, the immutable
`oid`); portal administrators' Microsoft accounts are bound by (tid, oid) in AdminMicrosoftLink.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from extensions.models import Extension
from organizations.models import Organization


class SsoSettings(models.Model):
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="sso_settings")
    allow_sso_login = models.BooleanField("Allow SSO Login", default=False)
    require_microsoft_for_admins = models.BooleanField(
        "Require Sign in with Microsoft for portal administrators", default=False,
        help_text="Administrators who linked their Microsoft account can no longer sign in with a password.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "SSO settings"

    def __str__(self) -> str:
        return f"SSO settings of {self.organization}"


SIGN_IN_WORDS = {
    "signed_in": "Signed in", "bound_by_email": "Signed in; extension linked by e-mail",
    "admin_linked": "Microsoft account linked", "bad_password": "Wrong password",
    "rate_limited": "Too many attempts: try again later", "sso_off": "Single sign-on is switched off",
    "not_configured": "Single sign-on is not set up", "not_linked": "No extension linked to this Microsoft account",
    "extension_disabled": "The extension is disabled", "wrong_tenant": "Microsoft account of another organization",
    "state_mismatch": "Sign-in link no longer valid", "invalid_id_token": "Microsoft's answer could not be trusted",
    "entra_unreachable": "Microsoft could not be reached", "redirect_refused": "App not allowed",
    "native_request_invalid": "Invalid app sign-in request",
    "admin_not_linked": "No administrator linked to this Microsoft account",
    "admin_identity_taken": "Microsoft account already linked to another administrator",
    "entra_error": "Microsoft refused the sign-in",
}


class SignInEvent(models.Model):
    """Every SSO sign-in, success or refusal, with its reason: the log the organization's admins read."""

    class Channel(models.TextChoices):
        UC_WEB = "uc_web", "UC Client (web)"
        UC_NATIVE = "uc_native", "UC Client (app)"
        UC_PASSWORD = "uc_password", "UC Client (PBX password)"
        ADMIN = "admin", "Portal administrator"

    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="sso_sign_in_events")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    succeeded = models.BooleanField(default=False)
    reason = models.CharField(max_length=40)  # "signed_in", "bound_by_email", "sso_off", "not_linked", ...
    detail = models.CharField(max_length=500, blank=True)
    email = models.CharField(max_length=254, blank=True)
    entra_object_id = models.CharField(max_length=36, blank=True)
    entra_tenant_id = models.CharField(max_length=36, blank=True)
    extension = models.ForeignKey(Extension, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="sso_event_org_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.channel} {self.reason}"

    @property
    def reason_words(self) -> str:
        return SIGN_IN_WORDS.get(self.reason) or self.reason.replace("_", " ").capitalize()


class UcCredential(models.Model):
    """A PBX password for UC Client sign-in without Microsoft (hashed with Django's password hashers)."""

    extension = models.OneToOneField(Extension, on_delete=models.CASCADE, related_name="uc_credential")
    password_hash = models.CharField(max_length=256)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"UC password of {self.extension}"


class AdminMicrosoftLink(models.Model):
    """A portal administrator's Microsoft account, linked once after a password sign-in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="microsoft_link")
    tenant_id = models.CharField(max_length=36)
    object_id = models.CharField(max_length=36)
    username = models.CharField(max_length=254, blank=True)  # shown to the admin; never used to match
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant_id", "object_id"], name="admin_link_unique_identity")]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.username or self.object_id}"


class NativeAuthCode(models.Model):
    """A one-time code handed to a native UC Client at its custom-scheme callback (stored hashed)."""

    code_hash = models.CharField(max_length=64, unique=True)
    extension = models.ForeignKey(Extension, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.CharField(max_length=500)
    code_challenge = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"one-time code for {self.extension_id}"


class UcGrant(models.Model):
    """A native UC Client's sign-in: its current access and refresh tokens (hashed; refresh rotates both)."""

    extension = models.ForeignKey(Extension, on_delete=models.CASCADE, related_name="uc_grants")
    access_token_hash = models.CharField(max_length=64, unique=True)
    access_expires_at = models.DateTimeField()
    refresh_token_hash = models.CharField(max_length=64, unique=True)
    refresh_expires_at = models.DateTimeField()
    auth_code = models.OneToOneField(NativeAuthCode, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="grant")
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"UC grant {self.pk} of {self.extension_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def access_valid(self, now=None) -> bool:
        return not self.is_revoked and self.access_expires_at > (now or timezone.now())


class UcRetiredRefreshToken(models.Model):
    """A refresh token that was rotated away (hashed). Presenting it again means it was copied: the whole grant is
    revoked (OAuth 2.0 Security BCP, refresh token rotation). Kept for the refresh token's lifetime."""

    grant = models.ForeignKey(UcGrant, on_delete=models.CASCADE, related_name="retired_refresh_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    retired_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"retired refresh token of grant {self.grant_id}"
