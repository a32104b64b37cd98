"""Sign-in flows in flight: MSAL's flow dict (state, nonce, PKCE verifier) kept in the server-side session.

A flow is taken out of the session at its callback, so a replayed or forged callback finds nothing.

The answer comes back as a query-string redirect (MSAL's default), not response_mode=form_post: a cross-site POST
from Microsoft would not carry the SameSite=Lax session cookie that holds the flow. State, nonce and PKCE protect
the query-mode answer; MSAL's "form_post is recommended" warning is expected.
"""

import time

from integrations.connection_client import app_credentials, graph_endpoints
from integrations.graph import SignInClient, signin_client_for
from integrations.models import EntraConnection

SESSION_KEY = "sso_flows"
MAX_PENDING = 5
FLOW_LIFETIME = 15 * 60


def signin_client(connection: EntraConnection) -> SignInClient:
    return signin_client_for(app_credentials(connection), graph_endpoints())


def flow_begin(request, *, connection: EntraConnection, purpose: str, redirect_uri: str, login_hint: str = "",
               extra: dict | None = None) -> str:
    """Start a flow for the connection's tenant; returns the authorize URL to redirect the browser to."""
    flow = signin_client(connection).start(redirect_uri=redirect_uri, login_hint=login_hint)
    pending = {state: entry for state, entry in request.session.get(SESSION_KEY, {}).items()
               if entry.get("started", 0) > time.time() - FLOW_LIFETIME}
    while len(pending) >= MAX_PENDING:
        pending.pop(min(pending, key=lambda s: pending[s]["started"]))
    pending[flow["state"]] = {"flow": flow, "purpose": purpose, "organization_id": connection.organization_id,
                              "login_hint": login_hint, "extra": extra or {}, "started": time.time()}
    request.session[SESSION_KEY] = pending
    return flow["auth_uri"]


def flow_take(request, state: str) -> dict | None:
    """Remove and return the pending flow for this state (None if unknown, used or expired)."""
    pending = request.session.get(SESSION_KEY) or {}
    entry = pending.pop(state, None) if state else None
    if entry is not None:
        request.session[SESSION_KEY] = pending
        if entry.get("started", 0) < time.time() - FLOW_LIFETIME:
            return None
    return entry
