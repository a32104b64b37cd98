"""When the Graph client sends a request again, and how long it waits first.

Two kinds of failure are retried, with one exponential backoff ("equal jitter") shared between them and
Retry-After always honoured when Graph sends it:

- Throttling (429, 503) on any request: Graph did not act on it. Microsoft's guidance is to wait Retry-After (or
  back off) and send it again, writes included. Up to ``max_retries`` times, no single wait above
  ``max_retry_wait``; past that GraphThrottled.
- Transient failures (the connection dropped or timed out, or 500/502/504) on idempotent requests only: GET,
  a POST that only reads (getPresencesByUserId), a $batch of GETs. A write that failed this way may have been
  applied, and Graph documents no write this product makes (setPresence, clearPresence) as idempotent, so
  writes are left to the caller (a task that converges, see presence.tasks). Up to ``transient_retries`` times
  within ``transient_wait_budget`` seconds of waiting; past that the failure itself is raised.

A token request that never reached Graph is always safe to repeat: it counts as transient for any request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .config import GraphEndpoints
from .errors import GraphError, GraphThrottled

THROTTLING_STATUSES = frozenset({429, 503})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# POST actions that only read (Graph's own naming: "get..."), so sending one twice changes nothing.
READ_ONLY_ACTIONS = frozenset({"/communications/getpresencesbyuserid"})
BACKOFF_BASE = 1.0


def is_idempotent(method: str, path: str) -> bool:
    """GET/HEAD/OPTIONS, or a POST to an action Graph documents as a read."""
    method = method.upper()
    return method in SAFE_METHODS or (method == "POST" and path.rstrip("/").lower() in READ_ONLY_ACTIONS)


def throttled(retry_after: float | None, error: GraphError) -> GraphThrottled:
    return GraphThrottled(
        retry_after, status=error.status, request_id=error.request_id, code=error.code, message=error.message,
        client_request_id=error.client_request_id, date=error.date, method=error.method, path=error.path,
    )


@dataclass
class Retries:
    """The retry allowance of one request (or one $batch chunk)."""

    endpoints: GraphEndpoints
    jitter: Callable[[], float]
    clock: Callable[[], float]
    deadline: float | None = None  # no wait may end after this clock() value (GraphClient.deadline)
    attempt: int = 0  # retries so far, of any kind: the backoff exponent
    transient: int = 0
    transient_waited: float = 0.0

    def after_throttling(self, retry_after: float | None, error: GraphError) -> float:
        """Seconds to wait before sending a throttled request again; GraphThrottled when that is not allowed."""
        if (retry_after is not None and retry_after > self.endpoints.max_retry_wait) or \
                self.attempt >= self.endpoints.max_retries:
            raise throttled(retry_after, error)
        wait = retry_after if retry_after is not None else self._backoff()
        if self._past_deadline(wait):
            raise throttled(retry_after, error)
        self.attempt += 1
        return wait

    def after_transient(self, retry_after: float | None = None) -> float | None:
        """Seconds to wait before sending again after a dropped connection or a 500/502/504; None: give up."""
        if self.transient >= self.endpoints.transient_retries:
            return None
        wait = retry_after if retry_after is not None else self._backoff()
        if wait > self.endpoints.max_retry_wait or self._past_deadline(wait) or \
                self.transient_waited + wait > self.endpoints.transient_wait_budget:
            return None
        self.attempt += 1
        self.transient += 1
        self.transient_waited += wait
        return wait

    def _backoff(self) -> float:
        ceiling = min(self.endpoints.max_retry_wait, BACKOFF_BASE * 2 ** self.attempt)
        return ceiling / 2 + ceiling / 2 * self.jitter()

    def _past_deadline(self, wait: float) -> bool:
        return self.deadline is not None and self.clock() + wait > self.deadline
