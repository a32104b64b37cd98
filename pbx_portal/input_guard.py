"""One guard for bad input on every URL, before any view, form or query sees it.

PostgreSQL cannot store or compare text holding a NUL character, and Python's json module recurses once per
nesting level; either used to end in a 500. So, for every request:

- a NUL anywhere in the path, the query string, a cookie or a form field (names included) is a 400;
- any other body (JSON, or anything sent with a wrong content type) may be at most JSON_BODY_MAX_BYTES (else 413),
  nested at most JSON_MAX_DEPTH deep, and hold no NUL, raw or escaped as \\u0000 (else 400).

Whether a body is *valid* JSON is left to the view, which answers in its own words. JSON that arrives inside a
form field (the Collaboration page's mailbox list) is read with json_loads_checked, which applies the same limits.
The answer is JSON on the JSON APIs (/api/) and the portal's 400 page elsewhere.
"""

import json
import re

from django.conf import settings
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from pbx_portal.http import json_error

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_PROBLEM = "The request contains a NUL character, which is not allowed anywhere."
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_BRACKET = re.compile(r"[\[\]{}]")


class RequestTooLarge(ValueError):
    pass


def json_text_problem(text: str, *, max_depth: int | None = None) -> str:
    """Why `text` must not be parsed as JSON (a NUL, or nesting deeper than max_depth), or ""."""
    max_depth = max_depth or settings.JSON_MAX_DEPTH
    if "\x00" in text:
        return NUL_PROBLEM
    strings = _STRING.findall(text)
    if any(_NUL_ESCAPE.search(string) for string in strings):
        return NUL_PROBLEM
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            return f"The JSON is nested more than {max_depth} levels deep."
    return ""


def json_loads_checked(text: str, *, max_depth: int | None = None):
    """json.loads, refusing (ValueError) a NUL anywhere and nesting deeper than max_depth."""
    problem = json_text_problem(text, max_depth=max_depth)
    if problem:
        raise ValueError(problem)
    return json.loads(text)


def _has_nul(pairs) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in pairs)


def request_problem(request) -> str:
    """Why the request is refused before any view runs (raises RequestTooLarge for an oversized body), or ""."""
    cookies = ((name, [value]) for name, value in request.COOKIES.items())
    if "\x00" in request.path or _has_nul(request.GET.lists()) or _has_nul(cookies):
        return NUL_PROBLEM
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return ""
    if request.content_type in FORM_TYPES:
        request.body  # noqa: B018 - buffered first, so a view may still read the raw body after POST was parsed
        try:
            return NUL_PROBLEM if _has_nul(request.POST.lists()) else ""
        except (MultiPartParserError, UnicodeDecodeError):
            return "The form could not be read."
    limit = body_limit(request.path)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > limit:
        raise RequestTooLarge(f"The body may be at most {limit} bytes.")
    body = request.body
    if len(body) > limit:
        raise RequestTooLarge(f"The body may be at most {limit} bytes.")
    return json_text_problem(body.decode("utf-8", errors="replace")) if body else ""


# Path prefix -> largest body, for machine endpoints whose senders batch more than JSON_BODY_MAX_BYTES (Microsoft
# Graph's change notifications); registered from the owning app's AppConfig.ready().
_body_limits: dict[str, int] = {}


def add_body_limit(prefix: str, max_bytes: int) -> None:
    _body_limits[prefix] = max_bytes


def body_limit(path: str) -> int:
    return next((limit for prefix, limit in _body_limits.items() if path.startswith(prefix)),
                settings.JSON_BODY_MAX_BYTES)


# Path prefix -> renderer(request, status, problem) for machine endpoints that answer errors in their own format
# (the SCIM endpoint answers SCIM error objects); registered from the owning app's AppConfig.ready().
_error_renderers: dict = {}


def add_error_renderer(prefix: str, renderer) -> None:
    _error_renderers[prefix] = renderer


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def api_error(request, status: int, message: str, code: str = "") -> JsonResponse:
    """An error answer of the JSON APIs: the UC Client's OAuth-style APIs read "error_description", the PBX's
    "message"; both carry the same sentence."""
    code = code or ("invalid_request" if status == 400 and request.path.startswith("/api/uc/") else "")
    return json_error(status, message, code)


class BadInputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            problem, status = request_problem(request), 400
        except RequestTooLarge as exc:
            problem, status = str(exc), 413
        if not problem:
            return self.get_response(request)
        if is_api(request):
            return api_error(request, status, problem, code="too_large" if status == 413 else "")
        for prefix, renderer in _error_renderers.items():
            if request.path.startswith(prefix):
                return renderer(request, status, problem)
        return render(request, "400.html", {"problem": problem}, status=status)
