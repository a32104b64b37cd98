"""One GraphClient per connection and process: MSAL's token cache lives as long as the process does."""

from __future__ import annotations

from .client import GraphClient
from .client_cache import ClientCache
from .config import AppCredentials, GraphEndpoints
from .signin import clear_signin_clients

_clients: ClientCache[GraphClient] = ClientCache(GraphClient)


def get_client(credentials: AppCredentials, endpoints: GraphEndpoints | None = None) -> GraphClient:
    """The cached client for this connection; a fresh one (new MSAL app, empty token cache) if credentials changed."""
    return _clients.get(credentials, endpoints or GraphEndpoints())


def forget_client(tenant_id: str, client_id: str) -> int:
    """Drop every cached client of this app registration (any endpoints). Returns how many were dropped."""
    return _clients.forget(tenant_id, client_id)


def clear_clients() -> None:
    """Drop every cached client, sign-in clients included (tests; after fork)."""
    _clients.clear()
    clear_signin_clients()
