"""Organization API keys: the PBX calls the portal with ``Authorization: Bearer <key>``.

A key is ``vcpbx_<8 hex prefix>_<43 url-safe random chars>`` (256 bits of randomness). Only its SHA-256
is stored, so the lookup is by hash: the submitted key is never compared character by character with a
stored secret, and a leaked database does not leak usable keys.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from functools import wraps

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from organizations.models import OrganizationApiKey

logger = logging.getLogger(__name__)

KEY_SCHEME = "vcpbx"
MAX_KEY_LENGTH = 200
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one last_used_at write per key a minute


def key_generate() -> tuple[str, str]:
    """A new (plaintext key, prefix shown to admins)."""
    prefix = f"{KEY_SCHEME}_{secrets.token_hex(4)}"
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_key_authenticate(key: str) -> OrganizationApiKey | None:
    """The active key matching ``key``, or None. Marks it used (coarsely, to keep the PBX's calls cheap)."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.startswith(f"{KEY_SCHEME}_"):
        return None
    digest = key_hash(key)
    api_key = (OrganizationApiKey.objects.select_related("organization")
               .filter(key_hash=digest, revoked_at__isnull=True).first())
    if api_key is None or not hmac.compare_digest(api_key.key_hash, digest):
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        OrganizationApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def _bearer(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _unauthorized(message: str) -> JsonResponse:
    response = JsonResponse({"error": "unauthorized", "message": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="pbx-portal"'
    return response


def api_key_required(view):
    """Authenticate a machine call by organization API key; sets ``request.organization`` and ``request.api_key``.

    CSRF-exempt and sessionless: a browser session cookie never authorizes these endpoints, only the key.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _bearer(request)
        if not key:
            return _unauthorized("Send the organization API key as 'Authorization: Bearer <key>'.")
        api_key = api_key_authenticate(key)
        if api_key is None:
            logger.info("API call refused: unknown or revoked key (prefix %s)", key[:14])
            return _unauthorized("The API key is unknown or has been revoked.")
        request.organization = api_key.organization
        request.api_key = api_key
        return view(request, *args, **kwargs)

    return wrapper
