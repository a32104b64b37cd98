"""Typed errors raised by the Graph client. None of them ever carries a token, secret or key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER_RE = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_MAX_TEXT = 500


def sanitize(text: object, limit: int = _MAX_TEXT) -> str | None:
    """One line, bounded, with anything shaped like a JWT or an Authorization value blanked out."""
    if text is None:
        return None
    value = " ".join(str(text).split())
    value = _JWT_RE.sub("<redacted-jwt>", value)
    value = _BEARER_RE.sub(r"\1 <redacted>", value)
    return value if len(value) <= limit else value[: limit - 3] + "..."


class GraphClientError(Exception):
    """Base class of everything this package raises on purpose."""


class GraphConnectionError(GraphClientError):
    """The request never got an HTTP answer: kind is "tls", "timeout" or "network"."""

    def __init__(self, kind: str, host: str | None, detail: str | None = None):
        self.kind = kind
        self.host = host
        self.detail = sanitize(detail, 300)
        super().__init__(f"{kind} error talking to {host}" + (f": {self.detail}" if self.detail else ""))


class ForeignHostRefused(GraphClientError):
    """An absolute URL (e.g. a nextLink) outside the configured Graph URL: the token is not sent there."""

    def __init__(self, url: str):
        self.url = sanitize(url, 200)
        super().__init__(f"refusing to send a Graph request to a URL outside the configured Graph URL: {self.url}")


class AuthorityError(GraphClientError):
    """The authority (login host + tenant) could not be used, and Entra gave no error body to say why."""

    def __init__(self, message: str, status: int | None = None):
        self.status = status
        self.message = sanitize(message)
        super().__init__(self.message + (f" (HTTP {status})" if status else ""))


class AuthenticationFailed(GraphClientError):
    """Entra refused to issue an app token. Branch on `aadsts_code` (from error_codes[0]) or `error`."""

    def __init__(
        self,
        error: str,
        aadsts_code: int | None = None,
        correlation_id: str | None = None,
        trace_id: str | None = None,
        description: str | None = None,
    ):
        self.error = error
        self.aadsts_code = aadsts_code
        self.correlation_id = correlation_id
        self.trace_id = trace_id
        self.description = sanitize(description)
        code = f" AADSTS{aadsts_code}" if aadsts_code is not None else ""
        super().__init__(f"token request failed: {error}{code} (correlation_id={correlation_id}, trace_id={trace_id})")

    @classmethod
    def from_entra(cls, body: dict) -> AuthenticationFailed:
        codes = body.get("error_codes") or []
        try:
            aadsts = int(codes[0]) if codes else None
        except (TypeError, ValueError):
            aadsts = None
        return cls(
            error=str(body.get("error") or "unknown_error"),
            aadsts_code=aadsts,
            correlation_id=body.get("correlation_id"),
            trace_id=body.get("trace_id"),
            description=body.get("error_description"),
        )


class UnexpectedResponse(GraphClientError):
    """Graph answered, but not with the JSON we expected."""

    def __init__(self, message: str, status: int | None = None, request_id: str | None = None):
        self.status = status
        self.request_id = request_id
        super().__init__(f"{sanitize(message)} (status={status}, request-id={request_id})")


class GraphError(GraphClientError):
    """Graph answered with an error: status, Graph error code and message, and its request-id."""

    def __init__(
        self,
        status: int | None,
        code: str | None = None,
        message: str | None = None,
        request_id: str | None = None,
        client_request_id: str | None = None,
        date: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ):
        self.status = status
        self.code = code
        self.message = sanitize(message)
        self.request_id = request_id
        self.client_request_id = client_request_id
        self.date = date
        self.method = method
        self.path = path
        where = f"{method} {path}: " if method and path else ""
        super().__init__(f"{where}HTTP {status} {code}: {self.message} (request-id={request_id}, date={date})")


class PermissionDenied(GraphError):
    """403, or 401 because the token has no roles: admin consent for an application permission is missing.

    The endpoint functions (users.py, groups.py, ...) say which permission and what was being read: `permission`
    ("User.Read.All") and `action` ("Reading users"); None when the caller made a raw request."""

    permission: str | None = None
    action: str | None = None


@contextmanager
def needs_permission(permission: str, action: str) -> Iterator[None]:
    """Name the application permission (and what was being done) on a PermissionDenied raised inside."""
    try:
        yield
    except PermissionDenied as exc:
        exc.permission, exc.action = permission, action
        raise


class NotFound(GraphError):
    """404."""


class DeltaTokenExpired(GraphError):
    """The delta link is no longer valid: start a full resync.

    Raised for 410 Gone (any code) and for 400 syncStateNotFound / SyncStateNotFound (Outlook) / resyncRequired.
    `location` is the 410's Location header when Graph sent one: the delta URL of the initial query with an
    empty `$deltatoken=`; a new round may start from it (or from the original delta path and params)."""

    def __init__(self, *args, location: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.location = location


class PagingLoopDetected(GraphClientError):
    """A page's @odata.nextLink repeats one already followed in this round: a loop, not more data.

    `path` is the request path the round started from, `pages` how many pages were read before the repeat."""

    def __init__(self, path: str, pages: int):
        self.path = path
        self.pages = pages
        super().__init__(f"Graph paging loop on {path}: a nextLink repeated after {pages} pages; stopped")


class GraphUnavailable(GraphError):
    """500, 502 or 504: a failure on Graph's side that may pass. Raised after the allowed retries of an idempotent
    request, and at once for a write (which Graph may or may not have applied: the caller decides)."""


class GraphThrottled(GraphError):
    """Still throttled after the allowed retries, or asked to wait longer than max_retry_wait."""

    def __init__(self, retry_after: float | None, status: int | None = 429, request_id: str | None = None, **kwargs):
        super().__init__(status, request_id=request_id, **kwargs)
        self.retry_after = retry_after
        self.args = (f"{self.args[0]} retry-after={retry_after}",)
