"""The HTTP edge of /scim/v2/: Bearer token -> organization, SCIM provisioning switched on, per-token rate limit,
JSON bodies read, every failure answered as a SCIM error object (never an HTML page, never a 500 for bad input).

Machine-to-machine: CSRF-exempt and sessionless (a browser session never authorizes it, only the Secret Token), and
outside the administrators' sign-in policy on purpose (named in sso.middleware.NOT_ADMIN_VIEWS).
"""

from __future__ import annotations

import json
import logging
from functools import wraps

from django.conf import settings
from django.views.decorators.csrf import csrf_exempt

from integrations.scim.guards import scim_on
from integrations.scim.protocol import ScimError
from integrations.scim.protocol.errors import INVALID_SYNTAX
from integrations.scim.responses import error, scim_error_response
from integrations.scim.tokens import scim_token_authenticate
from organizations.api_keys import bearer_token
from pbx_portal import ratelimit
from pbx_portal.http import client_ip

logger = logging.getLogger(__name__)

BODY_METHODS = ("POST", "PUT", "PATCH")
BEARER_CHALLENGE = 'Bearer realm="scim"'


def read_json(request):
    """The request body as JSON (the input guard has already refused NULs, oversized and too deep bodies)."""
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ScimError(400, INVALID_SYNTAX, "The body is not valid JSON (send application/scim+json)") from exc


def scim_endpoint(methods: tuple[str, ...]):
    """Wrap a view(request, *args) -> HttpResponse; sets request.organization and request.scim_token."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            presented = bearer_token(request)
            token = scim_token_authenticate(presented) if presented else None
            if token is None:
                logger.info("SCIM request refused from %s: %s", client_ip(request),
                            "unknown or revoked token" if presented else "no Bearer token")
                return error(401, "Send the Secret Token from the portal's SCIM provisioning tab as "
                             "'Authorization: Bearer <token>'; this one is missing, unknown or revoked.",
                             **{"WWW-Authenticate": BEARER_CHALLENGE})
            if ratelimit.hit("scim-token", str(token.pk), limit=settings.SCIM_RATE_LIMIT, window=60):
                logger.warning("SCIM token %s of organization %s over its rate limit", token.prefix,
                               token.organization_id)
                return error(429, f"More than {settings.SCIM_RATE_LIMIT} requests in a minute with this token: "
                             "retry after the time in Retry-After.", **{"Retry-After": "60"})
            if not scim_on(token.organization):
                return error(403, "SCIM provisioning is switched off for this organization (Graph pull is chosen "
                             "on the portal's SCIM provisioning tab).")
            if request.method not in methods:
                return error(405, f"{request.method} is not supported here; use {', '.join(methods)}.",
                             Allow=", ".join(methods))
            request.organization, request.scim_token = token.organization, token
            try:
                return view(request, *args, **kwargs)
            except ScimError as exc:
                return scim_error_response(exc)

        return wrapper

    return decorate
