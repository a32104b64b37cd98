"""Small request helpers shared by views, limiters and logs."""

import ipaddress

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect


def wants_json(request) -> bool:
    """The page's script asked for JSON (fetch with Accept: application/json); otherwise answer with HTML."""
    return "application/json" in request.headers.get("Accept", "")


def refuse(request, message: str, redirect_to: str, *, status: int = 409):
    """A page action that cannot go ahead: {"error": message} with `status` to the page's script (wants_json),
    else the message as an error banner on `redirect_to` (a URL name or path)."""
    if wants_json(request):
        return JsonResponse({"error": message}, status=status)
    messages.error(request, message)
    return redirect(redirect_to)


JSON_ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
                    413: "too_large", 429: "rate_limited"}


def json_error(status: int, message: str, code: str = "") -> JsonResponse:
    """The one error answer of the JSON APIs: {"error": code, "message": sentence, "error_description": sentence}.
    The PBX's APIs read "message", the UC Client's OAuth-style ones "error_description"; both carry the sentence."""
    return JsonResponse({"error": code or JSON_ERROR_CODES.get(status, "error"), "message": message,
                         "error_description": message}, status=status)


def client_ip(request) -> str | None:
    """The client's address, for every limiter, lockout and log line.

    Behind TRUSTED_PROXY_COUNT reverse proxies it is the address the outermost trusted proxy saw connecting: counted
    from the right of X-Forwarded-For, which a client can only prepend to. A request that did not come through
    that many proxies (or whose entry is not an address) falls back to REMOTE_ADDR, the address that connected.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            forwarded = _address(hops[-proxies])
            if forwarded:
                return forwarded
    return _address(request.META.get("REMOTE_ADDR", ""))


def _address(text: str) -> str | None:
    """A normalized IP address from `text` ("203.0.113.7", "203.0.113.7:5123", "[2001:db8::1]:443"), else None."""
    candidates = [text]
    if text.startswith("[") and "]" in text:
        candidates.append(text[1:text.index("]")])
    elif text.count(":") == 1:
        candidates.append(text.split(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None
