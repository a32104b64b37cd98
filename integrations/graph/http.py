"""The one requests.Session used for Entra (via MSAL) and Graph: pinned CA bundle, default timeout."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from .config import GraphEndpoints
from .errors import GraphConnectionError

USER_AGENT = "pbx-portal-graph-client/1.0"


class _PinnedVerifySession(requests.Session):
    """A Session whose every request carries verify=<ca_bundle> and a timeout.

    requests lets REQUESTS_CA_BUNDLE override ``Session.verify``; only a per-request ``verify=`` wins, so it is
    injected here on every call (MSAL's token calls included, since MSAL gets this session as ``http_client``).
    Without a CA bundle verification stays at requests' default (system bundle / REQUESTS_CA_BUNDLE). Never False.
    """

    def __init__(self, ca_bundle: str | None, timeout: float):
        super().__init__()
        self.ca_bundle = ca_bundle
        self.default_timeout = timeout
        self.headers["User-Agent"] = USER_AGENT
        adapter = HTTPAdapter(max_retries=0, pool_connections=4, pool_maxsize=16)  # the client owns retries
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method, url, *args, **kwargs):
        if self.ca_bundle:
            kwargs["verify"] = self.ca_bundle
        elif kwargs.get("verify") is False:
            kwargs.pop("verify")
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


def build_session(endpoints: GraphEndpoints) -> requests.Session:
    return _PinnedVerifySession(endpoints.ca_bundle, endpoints.timeout)


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return parts.netloc.rpartition("@")[2] or None


def connection_error(exc: BaseException, url: str | None) -> GraphConnectionError:
    """Map a requests transport exception (no HTTP answer, or a body cut short) to GraphConnectionError."""
    if isinstance(exc, requests.exceptions.SSLError):
        kind = "tls"
    elif isinstance(exc, requests.exceptions.Timeout):
        kind = "timeout"
    else:
        kind = "network"
    # str(exc) of a requests exception names host and path, never headers; keep only the exception's class name
    # plus its first line to stay short.
    return GraphConnectionError(kind, host_of(url), f"{type(exc).__name__}: {str(exc)[:200]}")


TRANSPORT_ERRORS = (
    requests.exceptions.ConnectionError,  # includes SSLError, ConnectTimeout, ProxyError
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
