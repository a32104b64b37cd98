"""GraphClient: authenticated requests with retry, paging, delta rounds and $batch."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from .auth import AppToken, TokenProvider, decode_jwt_claims
from .config import AppCredentials, GraphEndpoints
from .errors import (
    ForeignHostRefused,
    GraphConnectionError,
    GraphError,
    GraphUnavailable,
    PagingLoopDetected,
    PermissionDenied,
    UnexpectedResponse,
)
from .http import TRANSPORT_ERRORS, build_session, connection_error
from .parsing import error_from_response, parse_retry_after
from .retry import THROTTLING_STATUSES, Retries, is_idempotent

logger = logging.getLogger(__name__)

# A cached token older than this may predate new admin consent: on a permission error it is refreshed once.
CONSENT_RECHECK_SECONDS = 300
BATCH_LIMIT = 20


@dataclass(frozen=True)
class DeltaPage:
    items: list[dict] = field(default_factory=list)
    delta_link: str | None = None  # set on the last page of a round only


class GraphClient:
    """One per connection and process (see registry.get_client). Thread-safe."""

    def __init__(
        self,
        credentials: AppCredentials,
        endpoints: GraphEndpoints | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.credentials = credentials
        self.endpoints = endpoints or GraphEndpoints()
        self.fingerprint = credentials.fingerprint()
        self.session = session or build_session(self.endpoints)
        self.tokens = TokenProvider(credentials, self.endpoints, self.session)
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._count_lock = threading.Lock()
        self._local = threading.local()  # per-thread total deadline (see deadline())
        self.request_count = 0
        self.requests_by_path: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"GraphClient(tenant_id={self.credentials.tenant_id!r}, client_id={self.credentials.client_id!r})"

    # -- tokens -------------------------------------------------------------------------------------------------
    def acquire_app_token(self) -> AppToken:
        return self.tokens.acquire_app_token()

    def clear_token_cache(self) -> None:
        self.tokens.clear()

    def close(self) -> None:
        self.session.close()

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Within this block (this thread only), no Retry-After or backoff wait may run past `seconds` from now:
        a wait that would end later raises at once instead of sleeping (GraphThrottled, or the transient failure)."""
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = self._clock() + seconds
        try:
            yield
        finally:
            self._local.deadline = previous

    # -- plain requests -----------------------------------------------------------------------------------------
    def get(self, path_or_url: str, params: dict | None = None, headers: dict | None = None) -> dict:
        response = self.request("GET", path_or_url, params=params, headers=headers)
        body = self._json(response)
        if not isinstance(body, dict):
            raise UnexpectedResponse("expected a JSON object", response.status_code, response.headers.get("request-id"))
        return body

    def post(self, path: str, json: dict | list | None = None, headers: dict | None = None, *,
             idempotent: bool | None = None) -> dict | None:
        response = self.request("POST", path, json=json, headers=headers, idempotent=idempotent)
        if response.status_code == 204 or not response.content:
            return None
        return self._json(response)

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict | None = None,
        json: dict | list | None = None,
        headers: dict | None = None,
        delta: bool = False,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """Send with retries (see retry.py; one token refresh on 401); raise a typed error for any non-2xx.

        `idempotent` (default: GET, or a POST Graph documents as a read) allows retries after a dropped
        connection or a 500/502/504; throttling (429/503) is retried for every request."""
        url = self.resolve(path_or_url)
        path = self._path_label(url)
        if idempotent is None:
            idempotent = is_idempotent(method, path)
        retries = self._retries()
        refreshed = False
        while True:
            sent = False
            try:
                token = self.tokens.acquire_app_token()
                sent = True
                response = self._send(method, url, path, token, params=params, json=json, headers=headers)
            except GraphConnectionError as exc:
                # A token request that failed never reached Graph: safe to repeat for any request.
                wait = retries.after_transient() if (idempotent or not sent) else None
                if wait is None:
                    raise
                logger.info("Graph %s %s: %s error; retry %d in %.1fs", method, path, exc.kind, retries.attempt, wait)
                self._sleep(wait)
                continue
            status = response.status_code
            if status < 400:
                return response
            error = error_from_response(response, method, path, delta=delta)
            if not refreshed and self._worth_a_fresh_token(status, error, token):
                logger.info("Graph %s %s: HTTP %s (request-id=%s), refreshing the token once", method, path,
                            status, error.request_id)
                refreshed = True
                self.tokens.clear()
                continue
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if status in THROTTLING_STATUSES:
                wait = retries.after_throttling(retry_after, error)
                if status == 503:  # Microsoft: retry a 503 over a new HTTP connection
                    self.session.close()  # drops the idle pooled connections; the next request opens a new one
            elif idempotent and isinstance(error, GraphUnavailable):
                wait = retries.after_transient(retry_after)
            else:
                wait = None
            if wait is None:
                logger.warning("Graph %s %s failed: HTTP %s %s request-id=%s", method, path, status, error.code,
                               error.request_id)
                raise error
            logger.info("Graph %s %s: HTTP %s (request-id=%s); retry %d in %.1fs", method, path, status,
                        error.request_id, retries.attempt, wait)
            self._sleep(wait)

    def resolve(self, path_or_url: str) -> str:
        """A path relative to /v1.0, or an absolute URL that must lie under the configured graph_url."""
        if "://" in path_or_url:
            base = self.endpoints.graph_url
            try:
                same_origin = urlsplit(path_or_url).netloc.lower() == urlsplit(base).netloc.lower()
            except ValueError:  # e.g. a malformed IPv6 host
                same_origin = False
            if not same_origin or not (path_or_url == base or path_or_url.startswith(base + "/")):
                raise ForeignHostRefused(path_or_url)
            return path_or_url
        return self.endpoints.graph_base + ("" if path_or_url.startswith("/") else "/") + path_or_url

    # -- paging -------------------------------------------------------------------------------------------------
    def iter_pages(self, path: str, params: dict | None = None, headers: dict | None = None) -> Iterator[list[dict]]:
        """Each page's `value`, following @odata.nextLink verbatim (params only on the first request).

        A nextLink equal to one already followed in this round is a loop: PagingLoopDetected."""
        url: str | None = path
        followed: set[str] = set()
        while url:
            body = self.get(url, params=params, headers=headers)
            yield body.get("value") or []
            url, params = self._next(body.get("@odata.nextLink"), followed, path)

    def iter_items(self, path: str, params: dict | None = None, headers: dict | None = None) -> Iterator[dict]:
        for page in self.iter_pages(path, params=params, headers=headers):
            yield from page

    def delta_round(
        self, path_or_delta_link: str, params: dict | None = None, headers: dict | None = None
    ) -> Iterator[DeltaPage]:
        """One delta round: pages until @odata.deltaLink (on the last DeltaPage).

        DeltaTokenExpired -> full resync (its `location`, when Graph sent one, starts it); a repeated nextLink ->
        PagingLoopDetected."""
        url = path_or_delta_link
        followed: set[str] = set()
        while True:
            response = self.request("GET", url, params=params, headers=headers, delta=True)
            body = self._json(response)
            if not isinstance(body, dict):
                raise UnexpectedResponse("delta page is not a JSON object", response.status_code)
            items = body.get("value") or []
            next_link, delta_link = body.get("@odata.nextLink"), body.get("@odata.deltaLink")
            if next_link:
                yield DeltaPage(items)
                url, params = self._next(next_link, followed, path_or_delta_link)
                continue
            if not delta_link:
                raise UnexpectedResponse("delta page has neither nextLink nor deltaLink", response.status_code,
                                         response.headers.get("request-id"))
            yield DeltaPage(items, delta_link)
            return

    def _next(self, next_link: str | None, followed: set[str], start: str) -> tuple[str | None, None]:
        """The next URL to follow (params are only sent with the first request), refusing a repeat."""
        if next_link and next_link in followed:
            label = self._path_label(start)  # the path only: a delta link's token is not logged
            logger.warning("Graph paging loop on %s after %d pages: a nextLink repeated", label, len(followed) + 1)
            raise PagingLoopDetected(label, len(followed) + 1)
        if next_link:
            followed.add(next_link)
        return next_link, None

    # -- $batch -------------------------------------------------------------------------------------------------
    def batch(self, requests_: list[dict]) -> list[dict]:
        """POST /$batch in chunks of 20; sub-responses in request order. Only 429 sub-requests are re-sent."""
        prepared = []
        for index, item in enumerate(requests_):
            sub = dict(item)
            sub.setdefault("id", str(index + 1))
            sub.setdefault("method", "GET")
            prepared.append(sub)
        ids = [str(sub["id"]) for sub in prepared]
        if len(set(ids)) != len(ids):
            raise ValueError("batch request ids must be unique")
        position = {sub_id: i for i, sub_id in enumerate(ids)}
        results: list[dict | None] = [None] * len(prepared)
        for start in range(0, len(prepared), BATCH_LIMIT):
            self._batch_chunk(prepared[start:start + BATCH_LIMIT], position, results)
        return results  # type: ignore[return-value]  # every slot is filled, or _batch_chunk raised

    def _batch_chunk(self, pending: list[dict], position: dict[str, int], results: list[dict | None]) -> None:
        retries = self._retries()
        only_reads = all(str(sub.get("method", "GET")).upper() == "GET" for sub in pending)
        while pending:
            body = self.post("/$batch", {"requests": pending}, idempotent=only_reads) or {}
            answered: dict[str, dict] = {}
            for sub_response in body.get("responses") or []:
                answered[str(sub_response.get("id"))] = sub_response
            throttled, waits = [], []
            for sub in pending:
                sub_response = answered.get(str(sub["id"]))
                if sub_response is None:
                    raise UnexpectedResponse(f"$batch answer lacks sub-response {sub['id']!r}", 200)
                if sub_response.get("status") == 429:
                    throttled.append(sub)
                    waits.append(parse_retry_after(_header(sub_response, "Retry-After")))
                else:
                    results[position[str(sub["id"])]] = sub_response
            if not throttled:
                return
            known = [w for w in waits if w is not None]
            error = GraphError(429, "TooManyRequests", "$batch sub-requests throttled", method="POST", path="/$batch")
            wait = retries.after_throttling(max(known) if known else None, error)
            logger.info("$batch: %d of %d sub-requests throttled; retry %d in %.1fs", len(throttled), len(pending),
                        retries.attempt, wait)
            self._sleep(wait)
            pending = throttled

    # -- internals ----------------------------------------------------------------------------------------------
    def _retries(self) -> Retries:
        return Retries(self.endpoints, self._jitter, self._clock, getattr(self._local, "deadline", None))

    def _worth_a_fresh_token(self, status: int, error: GraphError, token: AppToken) -> bool:
        """A 401 for an expired/invalid token, or a permission error from a cached token old enough to predate
        new admin consent (other processes' Test Connection cannot clear this process's cache)."""
        if isinstance(error, PermissionDenied):
            issued_at = decode_jwt_claims(token.access_token).get("iat")
            return (token.token_source == "cache" and isinstance(issued_at, (int, float))
                    and self._clock() - issued_at > CONSENT_RECHECK_SECONDS)
        return status == 401

    def _send(self, method, url, path, token: AppToken, *, params, json, headers) -> requests.Response:
        sent_headers = {"Accept": "application/json", "client-request-id": str(uuid.uuid4())}
        sent_headers.update(headers or {})
        sent_headers["Authorization"] = f"Bearer {token.access_token}"
        with self._count_lock:
            self.request_count += 1
            self.requests_by_path[path] += 1
        try:
            response = self.session.request(method, url, params=params, json=json, headers=sent_headers)
            response.content  # read the body now, so a connection dropped mid-body surfaces here  # noqa: B018
        except TRANSPORT_ERRORS as exc:
            logger.warning("Graph %s %s: %s", method, path, type(exc).__name__)
            raise connection_error(exc, url) from exc
        return response

    def _path_label(self, url: str) -> str:
        path = urlsplit(url).path
        prefix = urlsplit(self.endpoints.graph_base).path
        return path[len(prefix):] if path.startswith(prefix + "/") else path

    @staticmethod
    def _json(response: requests.Response):
        try:
            return response.json()
        except ValueError:
            raise UnexpectedResponse(
                f"not JSON ({response.headers.get('Content-Type')})", response.status_code,
                response.headers.get("request-id"),
            ) from None


def _header(sub_response: dict, name: str) -> str | None:
    for key, value in (sub_response.get("headers") or {}).items():
        if key.lower() == name.lower():
            return value
    return None
