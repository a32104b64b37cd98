"""User sign-in (OpenID Connect auth code flow + PKCE + nonce) through MSAL. No Django here.

    client = signin_client_for(credentials, endpoints)
    flow = client.start(redirect_uri=..., login_hint="a@contoso.com")  # keep `flow` server-side
    # redirect the browser to flow["auth_uri"]; at the callback:
    claims = client.finish(flow, request_params)  # IdTokenClaims, or raises SignInError

MSAL checks state (ValueError), nonce, aud and the PKCE verifier; it does not check `tid` or `iss` against the
tenant the flow was meant for: the caller does (see sso.claims). The token endpoint is called once per sign-in,
during the callback request (inherent to OIDC). Tokens MSAL receives are not kept: the sign-in cache drops them.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

import msal
import requests

from .auth import uses_instance_discovery
from .client_cache import ClientCache
from .config import AppCredentials, GraphEndpoints
from .errors import GraphConnectionError, sanitize
from .http import TRANSPORT_ERRORS, build_session, connection_error

logger = logging.getLogger(__name__)

_AADSTS_RE = re.compile(r"AADSTS(\d{4,9})")


class SignInError(Exception):
    """The sign-in could not complete. `kind`: "state" (tampered, replayed or stale), "entra" (Entra answered an
    error, `aadsts_code` when known), "id_token" (nonce/aud/malformed), "connection" (no answer from Entra)."""

    def __init__(self, kind: str, error: str = "", aadsts_code: int | None = None, description: str = ""):
        self.kind = kind
        self.error = error
        self.aadsts_code = aadsts_code
        self.description = sanitize(description, 400) or ""
        super().__init__(f"sign-in failed ({kind}): {error} AADSTS{aadsts_code}" if aadsts_code
                         else f"sign-in failed ({kind}): {error}")


@dataclass(frozen=True)
class IdTokenClaims:
    oid: str
    tid: str
    iss: str
    email: str
    preferred_username: str
    name: str

    @classmethod
    def from_dict(cls, claims: dict) -> IdTokenClaims:
        def text(name: str) -> str:
            value = claims.get(name)
            return value.strip() if isinstance(value, str) else ""

        return cls(oid=text("oid").lower(), tid=text("tid").lower(), iss=text("iss"), email=text("email"),
                   preferred_username=text("preferred_username"), name=text("name"))


class _DiscardingCache(msal.TokenCache):
    """Sign-in needs the ID token's claims only: never keep users' tokens in process memory."""

    def add(self, event, now=None):
        return None


def aadsts_code_of(result: dict) -> int | None:
    codes = result.get("error_codes") or []
    try:
        if codes:
            return int(codes[0])
    except (TypeError, ValueError):
        pass
    # The authorize leg answers error/error_description/error_uri only; its code is in error_uri (?code=N)
    # or opens the description ("AADSTS65004: ...").
    for field in ("error_uri", "error_description"):
        match = _AADSTS_RE.search(str(result.get(field) or "")) or re.search(r"[?&]code=(\d{4,9})",
                                                                              str(result.get(field) or ""))
        if match:
            return int(match.group(1))
    return None


class SignInClient:
    def __init__(self, credentials: AppCredentials, endpoints: GraphEndpoints):
        self.credentials = credentials
        self.endpoints = endpoints
        self.fingerprint = credentials.fingerprint()
        self.authority = endpoints.authority(credentials.tenant_id)
        self.session = build_session(endpoints)
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()

    @property
    def app(self) -> msal.ConfidentialClientApplication:
        # Built once per process: constructing it fetches the authority's openid-configuration.
        with self._lock:
            if self._app is None:
                try:
                    self._app = msal.ConfidentialClientApplication(
                        self.credentials.client_id, authority=self.authority,
                        client_credential=self.credentials.msal_credential(), http_client=self.session,
                        token_cache=_DiscardingCache(),
                        instance_discovery=uses_instance_discovery(self.endpoints.authority_host),
                    )
                except TRANSPORT_ERRORS as exc:
                    raise connection_error(exc, self.authority) from exc
                except (ValueError, KeyError, msal.exceptions.MsalServiceError) as exc:
                    raise SignInError("entra", "authority_unavailable",
                                      description=f"{type(exc).__name__}: {exc}") from exc
            return self._app

    def start(self, *, redirect_uri: str, login_hint: str = "", prompt: str | None = "select_account") -> dict:
        """The MSAL flow dict (state, nonce, PKCE verifier, auth_uri): store it server-side, never in the browser."""
        try:
            return self.app.initiate_auth_code_flow(scopes=[], redirect_uri=redirect_uri, prompt=prompt,
                                                    login_hint=login_hint or None)
        except GraphConnectionError as exc:
            raise SignInError("connection", exc.kind, description=str(exc)) from exc

    def finish(self, flow: dict, params: dict) -> IdTokenClaims:
        try:
            result = self.app.acquire_token_by_auth_code_flow(flow, params)
        except GraphConnectionError as exc:
            raise SignInError("connection", exc.kind, description=str(exc)) from exc
        except TRANSPORT_ERRORS as exc:
            raise SignInError("connection", type(exc).__name__, description=str(connection_error(exc, None))) from exc
        except ValueError as exc:  # MSAL: state mismatch, or a response that is not for this flow
            raise SignInError("state", "state_mismatch", description=str(exc)) from exc
        except RuntimeError as exc:  # MSAL: nonce / audience / malformed ID token
            raise SignInError("id_token", type(exc).__name__, description=str(exc)) from exc
        except (msal.exceptions.MsalServiceError, requests.RequestException) as exc:
            raise SignInError("connection", type(exc).__name__, description=str(exc)) from exc
        if not isinstance(result, dict):
            raise SignInError("entra", "unexpected_response")
        if "error" in result:
            code = aadsts_code_of(result)
            logger.info("Sign-in refused by Entra for tenant %s: %s AADSTS%s correlation_id=%s",
                        self.credentials.tenant_id, result.get("error"), code, result.get("correlation_id"))
            raise SignInError("entra", str(result.get("error")), code, str(result.get("error_description") or ""))
        claims = result.get("id_token_claims")
        if not isinstance(claims, dict):
            raise SignInError("id_token", "no_id_token")
        return IdTokenClaims.from_dict(claims)


_clients: ClientCache[SignInClient] = ClientCache(SignInClient)


def signin_client_for(credentials: AppCredentials, endpoints: GraphEndpoints) -> SignInClient:
    """One sign-in client per app registration, endpoints and process (a new one when the credential changes)."""
    return _clients.get(credentials, endpoints)


def clear_signin_clients() -> None:
    _clients.clear()
