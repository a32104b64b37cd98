"""App tokens (client credentials) through one MSAL ConfidentialClientApplication per connection.

What MSAL 1.39 does over HTTP, and how it is handled here:
- Constructing the app fetches ``{authority}/v2.0/.well-known/openid-configuration`` eagerly (so the app is built
  lazily, on the first token request). An unknown tenant answers 400 with Entra's error JSON, which MSAL turns into
  a bare ValueError without the body; a response hook keeps the body so it becomes AuthenticationFailed(90002).
- Instance discovery (``/common/discovery/instance``) is skipped at construction for well-known Microsoft hosts;
  with ``instance_discovery`` on, MSAL calls it after a failed token request and in ``remove_tokens_for_client()``.
  It is turned off for any other host (the emulator), which MSAL would otherwise try to validate.
- Token failures are returned, not raised: Entra's ``error``/``error_codes``/... dict -> AuthenticationFailed.
  A 5xx from the token endpoint raises MsalServiceError. MSAL replays an identical 400 for 60 s.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import msal
import requests

from .config import AppCredentials, GraphEndpoints
from .errors import AuthenticationFailed, AuthorityError, GraphClientError, UnexpectedResponse
from .http import TRANSPORT_ERRORS, connection_error

logger = logging.getLogger(__name__)

MICROSOFT_AUTHORITY_HOSTS = frozenset({
    "login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net",
    "login.microsoftonline.us", "login.usgovcloudapi.net", "login-us.microsoftonline.com",
    "login.chinacloudapi.cn", "login.partner.microsoftonline.cn",
})


def uses_instance_discovery(authority_host: str) -> bool:
    return (urlsplit(authority_host).hostname or "").lower() in MICROSOFT_AUTHORITY_HOSTS


def decode_jwt_claims(token: str) -> dict:
    """The JWT payload, NOT verified (diagnostics only: which roles the token carries). {} if unreadable."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (IndexError, ValueError, UnicodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


@dataclass(frozen=True)
class AppToken:
    access_token: str = field(repr=False)
    expires_on: float  # epoch seconds
    roles: tuple[str, ...]
    tenant_id: str | None
    token_source: str  # "identity_provider" or "cache"

    def __str__(self) -> str:
        return f"AppToken(roles={self.roles}, tenant_id={self.tenant_id}, source={self.token_source})"


@dataclass
class _Seen:
    """What the authority answered during the current MSAL call: MSAL hides error bodies we need."""

    status: int | None = None  # of the last response
    entra_error: dict | None = None  # the last 4xx/5xx body that was Entra's error JSON


class TokenProvider:
    def __init__(self, credentials: AppCredentials, endpoints: GraphEndpoints, session: requests.Session):
        self.credentials = credentials
        self.endpoints = endpoints
        self.session = session
        self.authority = endpoints.authority(credentials.tenant_id)
        self.auth_request_count = 0  # HTTP calls to the authority host (discovery + token), for tests/benchmarks
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.RLock()
        self._seen = _Seen()
        self._local = threading.local()  # responses are recorded only while this thread is inside MSAL
        session.hooks["response"].append(self._record)

    # -- public -------------------------------------------------------------------------------------------------
    @property
    def app(self) -> msal.ConfidentialClientApplication:
        with self._lock, self._recording():
            if self._app is None:
                self._app = self._build_app()
            return self._app

    def acquire_app_token(self) -> AppToken:
        with self._lock, self._recording():
            try:
                result = self.app.acquire_token_for_client(scopes=[self.endpoints.scope])
            except GraphClientError:
                raise
            except TRANSPORT_ERRORS as exc:
                raise self._from_seen() or connection_error(exc, self.authority) from exc
            except msal.exceptions.MsalServiceError as exc:  # 5xx from the token endpoint
                raise self._from_seen() or AuthenticationFailed(
                    "service_unavailable", description=f"token endpoint answered HTTP {self._seen.status}"
                ) from exc
            except (ValueError, KeyError) as exc:  # a non-JSON token response, or odd discovery metadata
                raise self._from_seen() or UnexpectedResponse(
                    "authority answered an unexpected body", self._seen.status
                ) from exc
        if not isinstance(result, dict) or "access_token" not in result:
            error = AuthenticationFailed.from_entra(result if isinstance(result, dict) else {})
            logger.warning(
                "App token refused for tenant %s client %s: %s AADSTS%s correlation_id=%s trace_id=%s",
                self.credentials.tenant_id, self.credentials.client_id, error.error, error.aadsts_code,
                error.correlation_id, error.trace_id,
            )
            raise error
        claims = decode_jwt_claims(result["access_token"])
        roles = claims.get("roles") or []
        return AppToken(
            access_token=result["access_token"],
            expires_on=time.time() + float(result.get("expires_in") or 0),
            roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
            tenant_id=claims.get("tid") or self.credentials.tenant_id,
            token_source=result.get("token_source", "identity_provider"),
        )

    def clear(self) -> None:
        """Forget cached app tokens (after admin consent, or a 401), so the next call fetches a fresh one."""
        with self._lock, self._recording():
            if self._app is None:
                return
            try:
                self._app.remove_tokens_for_client()
            except Exception as exc:  # noqa: BLE001 - instance discovery may fail; dropping the app clears it too
                logger.info("remove_tokens_for_client failed (%s); discarding the MSAL app", type(exc).__name__)
                self._app = None

    # -- internals ----------------------------------------------------------------------------------------------
    def _build_app(self) -> msal.ConfidentialClientApplication:
        try:
            return msal.ConfidentialClientApplication(
                self.credentials.client_id,
                authority=self.authority,
                client_credential=self.credentials.msal_credential(),
                http_client=self.session,
                token_cache=msal.TokenCache(),
                instance_discovery=uses_instance_discovery(self.endpoints.authority_host),
            )
        except TRANSPORT_ERRORS as exc:
            raise connection_error(exc, self.authority) from exc
        except msal.exceptions.MsalServiceError as exc:
            raise AuthorityError("authority metadata unavailable", self._seen.status) from exc
        except (ValueError, KeyError) as exc:
            seen = self._from_seen()
            if seen:
                raise seen from exc
            raise AuthorityError(
                f"cannot use authority {self.authority}: {type(exc).__name__}", self._seen.status
            ) from exc

    @contextmanager
    def _recording(self):
        outer = getattr(self._local, "active", False)
        if not outer:
            self._seen = _Seen()
        self._local.active = True
        try:
            yield
        finally:
            self._local.active = outer

    def _from_seen(self) -> AuthenticationFailed | None:
        """Entra's own error, if the authority answered one during this call."""
        body = self._seen.entra_error
        return AuthenticationFailed.from_entra(body) if body else None

    def _record(self, response: requests.Response, *args, **kwargs) -> None:
        if not getattr(self._local, "active", False):
            return
        self.auth_request_count += 1
        self._seen.status = response.status_code
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                return
            if isinstance(body, dict) and body.get("error"):
                self._seen.entra_error = body
