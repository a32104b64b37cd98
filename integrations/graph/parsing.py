"""Turning Graph's error responses and Retry-After headers into values and typed errors."""

from __future__ import annotations

import datetime
import email.utils
import math
import time

import requests

from .errors import DeltaTokenExpired, GraphError, GraphUnavailable, NotFound, PermissionDenied

NO_ROLES_MESSAGE = "either scp or roles claim need to be present in the token"
UNAVAILABLE_STATUSES = frozenset({500, 502, 504})
# Compared case-insensitively: directory objects say syncStateNotFound, Outlook says SyncStateNotFound.
DELTA_EXPIRED_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: integer or decimal seconds (Microsoft's throttling sample sends `2.128`) or an HTTP
    date. None when absent or unreadable: the caller then backs off exponentially with jitter."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, when.timestamp() - time.time())


def graph_error_body(response: requests.Response) -> dict:
    """{"code", "message", "innerError": {...}} from Graph's {"error": {...}}, or {} for other bodies."""
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def error_from_response(response: requests.Response, method: str, path: str, *, delta: bool = False) -> GraphError:
    error = graph_error_body(response)
    inner = error.get("innerError") or error.get("innererror") or {}
    if not isinstance(inner, dict):
        inner = {}
    status = response.status_code
    code = error.get("code")
    message = error.get("message") if isinstance(error.get("message"), str) else None
    fields = {
        "code": code,
        "message": message or response.reason,
        "request_id": response.headers.get("request-id") or inner.get("request-id"),
        "client_request_id": response.headers.get("client-request-id") or inner.get("client-request-id"),
        "date": inner.get("date") or response.headers.get("Date"),
        "method": method,
        "path": path,
    }
    codes = {str(c).lower() for c in (code, inner.get("code")) if c}
    if delta and (status == 410 or (status == 400 and codes & DELTA_EXPIRED_CODES)):
        return DeltaTokenExpired(status, location=response.headers.get("Location"), **fields)
    if status == 403:  # Authorization_RequestDenied (directory), ErrorAccessDenied (Outlook), Forbidden, ...
        return PermissionDenied(status, **fields)
    if status == 401 and message and NO_ROLES_MESSAGE in message.lower():
        return PermissionDenied(status, **fields)
    if status == 404:
        return NotFound(status, **fields)
    if status in UNAVAILABLE_STATUSES:
        return GraphUnavailable(status, **fields)
    return GraphError(status, **fields)


def graph_datetime(value: datetime.datetime) -> str:
    """An aware datetime as Graph's DateTimeOffset in UTC ("2026-12-02T08:02:00Z")."""
    if value.tzinfo is None:
        raise ValueError("expiry must be timezone-aware")
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_graph_datetime(value) -> datetime.datetime | None:
    """Graph's DateTimeOffset (up to 7 fractional digits, `Z` or an offset) as an aware datetime; None when empty.
    ValueError when it is not a date."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)
