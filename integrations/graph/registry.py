"""One GraphClient per connection and process: MSAL's token cache lives as long as the process does."""

from __future__ import annotations

import logging
import os
import threading

from .client import GraphClient
from .config import AppCredentials, GraphEndpoints
from .signin import clear_signin_clients

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_clients: dict[tuple[str, str, GraphEndpoints], GraphClient] = {}


def connection_key(credentials: AppCredentials, endpoints: GraphEndpoints) -> tuple[str, str, GraphEndpoints]:
    return (credentials.tenant_id.lower(), credentials.client_id.lower(), endpoints)


def get_client(credentials: AppCredentials, endpoints: GraphEndpoints | None = None) -> GraphClient:
    """The cached client for this connection; a fresh one (new MSAL app, empty token cache) if credentials changed."""
    endpoints = endpoints or GraphEndpoints()
    key = connection_key(credentials, endpoints)
    fingerprint = credentials.fingerprint()
    with _lock:
        client = _clients.get(key)
        if client is None or client.fingerprint != fingerprint:
            if client is not None:
                logger.info("Credentials changed for tenant %s client %s: new Graph client",
                            credentials.tenant_id, credentials.client_id)
            client = GraphClient(credentials, endpoints)
            _clients[key] = client
        return client


def forget_client(tenant_id: str, client_id: str) -> int:
    """Drop every cached client of this app registration (any endpoints). Returns how many were dropped."""
    with _lock:
        keys = [k for k in _clients if k[0] == tenant_id.lower() and k[1] == client_id.lower()]
        for key in keys:
            del _clients[key]
        return len(keys)


def clear_clients() -> None:
    """Drop every cached client, sign-in clients included (tests; after fork)."""
    with _lock:
        _clients.clear()
    clear_signin_clients()


def _after_fork_in_child() -> None:
    # A forked worker (Celery prefork) must not share the parent's pooled sockets: start empty.
    global _lock
    _lock = threading.Lock()
    _clients.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
