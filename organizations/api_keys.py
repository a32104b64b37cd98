"""Organization API keys: the PBX calls the portal with ``Authorization: Bearer <key>``.

A key is ``vcpbx_<8 hex prefix>_<43 url-safe random chars>`` (256 bits of randomness). Only its SHA-256
is stored, so the lookup is by hash: the submitted key is never compared character by character with a
stored secret, and a leaked database does not leak usable keys. Each key has scopes (ApiScope) and may make at
most API_KEY_RATE_LIMIT requests a minute.

    @api_key_required(scope=ApiScope.CALL_EVENTS)
    def call_events_view(request): ...        # request.organization, request.api_key
"""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from organizations.models import ApiScope, OrganizationApiKey
from pbx_portal import ratelimit
from pbx_portal.http import client_ip

logger = logging.getLogger(__name__)

KEY_SCHEME = "vcpbx"
MAX_KEY_LENGTH = 200
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one last_used_at write per key a minute


def key_generate(scheme: str = KEY_SCHEME) -> tuple[str, str]:
    """A new (plaintext key, prefix shown to admins). Other bearer secrets (SCIM tokens) use their own scheme."""
    prefix = f"{scheme}_{secrets.token_hex(4)}"
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def bearer_secret_lookup(rows, secret: str, *, scheme: str, hash_field: str = "key_hash"):
    """The active row (revoked_at empty) of `rows` whose `hash_field` holds the SHA-256 of `secret`, or None; marks
    it used (last_used_at, at most once a minute). Shared by API keys and other bearer secrets (SCIM tokens)."""
    if not secret or len(secret) > MAX_KEY_LENGTH or not secret.startswith(f"{scheme}_"):
        return None
    digest = key_hash(secret)
    row = rows.filter(**{hash_field: digest, "revoked_at__isnull": True}).first()
    if row is None or not hmac.compare_digest(getattr(row, hash_field), digest):
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        rows.model.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def api_key_authenticate(key: str) -> OrganizationApiKey | None:
    """The active key matching ``key``, or None. Marks it used (coarsely, to keep the PBX's calls cheap)."""
    return bearer_secret_lookup(OrganizationApiKey.objects.select_related("organization"), key, scheme=KEY_SCHEME)


def bearer_token(request) -> str:
    """The credential of an ``Authorization: Bearer <credential>`` header ("" without one)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _unauthorized(message: str) -> JsonResponse:
    response = JsonResponse({"error": "unauthorized", "message": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="pbx-portal"'
    return response


def _insufficient_scope(scope: str) -> JsonResponse:
    response = JsonResponse({"error": "insufficient_scope", "scope": scope,
                             "message": f"This API key does not have the {scope} scope ({ApiScope(scope).label}). "
                                        "Create a key with that scope under API keys."}, status=403)
    response["WWW-Authenticate"] = f'Bearer realm="pbx-portal", error="insufficient_scope", scope="{scope}"'
    return response


def _rate_limited() -> JsonResponse:
    response = JsonResponse({"error": "rate_limited", "message": f"This API key made more than "
                             f"{settings.API_KEY_RATE_LIMIT} requests in a minute; slow down."}, status=429)
    response["Retry-After"] = "60"
    return response


def api_key_required(view=None, *, scope: str | None = None):
    """Authenticate a machine call by organization API key; sets ``request.organization`` and ``request.api_key``.

    With `scope`, the key must have it (403 insufficient_scope otherwise). Every key is limited to
    API_KEY_RATE_LIMIT requests a minute (429 with Retry-After). CSRF-exempt and sessionless: a browser session
    cookie never authorizes these endpoints, only the key.
    """
    if view is None:
        return lambda view: api_key_required(view, scope=scope)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = bearer_token(request)
        if not key:
            return _unauthorized("Send the organization API key as 'Authorization: Bearer <key>'.")
        api_key = api_key_authenticate(key)
        if api_key is None:
            logger.info("API call refused from %s: unknown or revoked key (prefix %s)", client_ip(request), key[:14])
            return _unauthorized("The API key is unknown or has been revoked.")
        if ratelimit.hit("api-key", str(api_key.pk), limit=settings.API_KEY_RATE_LIMIT, window=60):
            logger.warning("API key %s (%s) over its rate limit, from %s", api_key.prefix, api_key.organization_id,
                           client_ip(request))
            return _rate_limited()
        if scope and not api_key.allows(scope):
            return _insufficient_scope(scope)
        request.organization = api_key.organization
        request.api_key = api_key
        return view(request, *args, **kwargs)

    return wrapper
