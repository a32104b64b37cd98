"""Native UC Clients: allow-listed custom-scheme callbacks, one-time codes, access and refresh tokens.

    /uc/login/?redirect_uri=vcuc://sso&code_challenge=<S256>&code_challenge_method=S256&state=<app state>
    -> Sign in with Microsoft -> vcuc://sso?code=<one-time code>&state=<app state>
    POST /api/uc/token grant_type=authorization_code&code=...&code_verifier=...&redirect_uri=vcuc://sso
    POST /api/uc/token grant_type=refresh_token&refresh_token=...

Codes live 60 s, work once and only with the verifier of the app's challenge. Tokens are opaque and stored as
SHA-256; a refresh rotates both, and a rotated refresh token presented again revokes the whole grant. Refresh (and
every API call) is refused once the extension is disabled or the organization switches SSO off.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from extensions.models import Extension
from sso.models import NativeAuthCode, UcGrant, UcRetiredRefreshToken
from sso.secrets import S256_CHALLENGE_RE, new_token, pkce_matches, token_hash
from sso.selectors import sso_allowed

logger = logging.getLogger(__name__)
CODE_LIFETIME = timedelta(seconds=60)
ACCESS_PREFIX, REFRESH_PREFIX, CODE_PREFIX = "uca_", "ucr_", "ucc_"


class TokenError(Exception):
    """An OAuth error answer: `error` (invalid_grant, invalid_request, ...) and a description for the app."""

    def __init__(self, error: str, description: str, status: int = 400):
        self.error, self.description, self.status = error, description, status
        super().__init__(f"{error}: {description}")


def native_redirect_problem(redirect_uri: str) -> str:
    """'' if the URI uses an allow-listed custom scheme (never http/https: no open redirect), else why not."""
    try:
        parts = urlsplit(redirect_uri or "")
    except ValueError:
        return "the redirect URI is not a URI"
    allowed = {s.lower() for s in settings.UC_NATIVE_REDIRECT_SCHEMES}
    if not parts.scheme or parts.scheme.lower() not in allowed or parts.scheme.lower() in ("http", "https"):
        return f"the scheme “{parts.scheme}” is not an allowed UC Client scheme"
    if parts.fragment or len(redirect_uri) > 500:
        return "the redirect URI must not carry a fragment and must be shorter than 500 characters"
    return ""


def native_request_problem(*, code_challenge: str, code_challenge_method: str, state: str) -> str:
    if code_challenge_method != "S256":
        return "code_challenge_method must be S256"
    if not S256_CHALLENGE_RE.match(code_challenge or ""):
        return "code_challenge must be the 43-character base64url SHA-256 of the app's code_verifier"
    if len(state or "") > 500:
        return "state is too long"
    return ""


def native_code_issue(*, extension: Extension, redirect_uri: str, code_challenge: str) -> str:
    code = new_token(CODE_PREFIX)
    NativeAuthCode.objects.create(code_hash=token_hash(code), extension=extension, redirect_uri=redirect_uri,
                                  code_challenge=code_challenge, expires_at=timezone.now() + CODE_LIFETIME)
    return code


def native_callback_url(redirect_uri: str, code: str, app_state: str) -> str:
    params = {"code": code, **({"state": app_state} if app_state else {})}
    return redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(params)


@dataclass(frozen=True)
class IssuedTokens:
    grant: UcGrant
    access_token: str
    refresh_token: str

    def as_json(self) -> dict:
        return {"access_token": self.access_token, "token_type": "Bearer",
                "expires_in": settings.UC_ACCESS_TOKEN_LIFETIME, "refresh_token": self.refresh_token,
                "refresh_expires_in": settings.UC_REFRESH_TOKEN_LIFETIME}


def _usable(extension: Extension) -> None:
    if extension.status != Extension.Status.ACTIVE:
        raise TokenError("invalid_grant", "the extension is disabled")
    if not sso_allowed(extension.organization):
        raise TokenError("invalid_grant", "single sign-on is switched off for this organization")


def _new_secrets(now) -> dict:
    access, refresh = new_token(ACCESS_PREFIX), new_token(REFRESH_PREFIX)
    return {"access": access, "refresh": refresh, "fields": {
        "access_token_hash": token_hash(access),
        "access_expires_at": now + timedelta(seconds=settings.UC_ACCESS_TOKEN_LIFETIME),
        "refresh_token_hash": token_hash(refresh),
        "refresh_expires_at": now + timedelta(seconds=settings.UC_REFRESH_TOKEN_LIFETIME),
    }}


def code_redeem(*, code: str, code_verifier: str, redirect_uri: str) -> IssuedTokens:
    now = timezone.now()
    row = (NativeAuthCode.objects.select_related("extension", "extension__organization")
           .filter(code_hash=token_hash(code or "")).first())
    if row is None:
        raise TokenError("invalid_grant", "unknown code")
    # Single use: whoever flips used_at first owns the code; any verification failure still burns it.
    with transaction.atomic():
        won = NativeAuthCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
        if not won:
            UcGrant.objects.filter(auth_code=row, revoked_at__isnull=True).update(revoked_at=now)
    if not won:
        raise TokenError("invalid_grant", "the code was already used (tokens issued with it are revoked)")
    if row.expires_at <= now:
        raise TokenError("invalid_grant", "the code expired (codes are valid for 60 seconds)")
    if redirect_uri != row.redirect_uri:
        raise TokenError("invalid_grant", "redirect_uri does not match the sign-in request")
    if not pkce_matches(code_verifier or "", row.code_challenge):
        raise TokenError("invalid_grant", "code_verifier does not match the code_challenge")
    _usable(row.extension)
    issued = _new_secrets(now)
    grant = UcGrant.objects.create(extension=row.extension, auth_code=row, **issued["fields"])
    return IssuedTokens(grant, issued["access"], issued["refresh"])


def grant_refresh(*, refresh_token: str) -> IssuedTokens:
    """Rotate the grant's tokens. A refresh token that was already rotated away (a copy in someone else's hands, or
    the app's own token replayed) revokes the whole grant, the access token of its successor included."""
    now = timezone.now()
    digest = token_hash(refresh_token or "")
    grant = (UcGrant.objects.select_related("extension", "extension__organization")
             .filter(refresh_token_hash=digest).first())
    if grant is None:
        retired = UcRetiredRefreshToken.objects.filter(token_hash=digest).values_list("grant_id", flat=True).first()
        if retired is not None:
            _revoke_for_reuse(retired, now)
        raise TokenError("invalid_grant", "the refresh token is unknown, revoked or expired")
    if grant.is_revoked or grant.refresh_expires_at <= now:
        raise TokenError("invalid_grant", "the refresh token is unknown, revoked or expired")
    _usable(grant.extension)
    issued = _new_secrets(now)
    with transaction.atomic():
        # Rotation: only the holder of the current refresh token wins; a concurrent use of the same token is reuse.
        updated = UcGrant.objects.filter(pk=grant.pk, refresh_token_hash=digest, revoked_at__isnull=True).update(
            last_refreshed_at=now, **issued["fields"])
        if updated:
            UcRetiredRefreshToken.objects.create(grant=grant, token_hash=digest, retired_at=now)
            UcRetiredRefreshToken.objects.filter(
                grant=grant, retired_at__lt=now - timedelta(seconds=settings.UC_REFRESH_TOKEN_LIFETIME)).delete()
    if not updated:
        _revoke_for_reuse(grant.pk, now)
        raise TokenError("invalid_grant", "the refresh token was already used")
    grant.refresh_from_db()
    return IssuedTokens(grant, issued["access"], issued["refresh"])


def _revoke_for_reuse(grant_id: int, now) -> None:
    if UcGrant.objects.filter(pk=grant_id, revoked_at__isnull=True).update(revoked_at=now):
        logger.warning("UC refresh token reused: grant %s revoked (its current tokens no longer work)", grant_id)


def grant_revoke(*, token: str) -> bool:
    digest = token_hash(token or "")
    either = Q(access_token_hash=digest) | Q(refresh_token_hash=digest)
    return bool(UcGrant.objects.filter(either, revoked_at__isnull=True).update(revoked_at=timezone.now()))


def access_token_check(token: str) -> tuple[UcGrant | None, str]:
    """The grant of a valid access token, or (None, why not)."""
    if not (token or "").startswith(ACCESS_PREFIX):
        return None, "not a UC access token"
    grant = (UcGrant.objects.select_related("extension", "extension__organization")
             .filter(access_token_hash=token_hash(token)).first())
    if grant is None or not grant.access_valid():
        return None, "the access token is unknown, revoked or expired"
    try:
        _usable(grant.extension)
    except TokenError as exc:
        return None, exc.description
    return grant, ""
