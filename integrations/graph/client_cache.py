"""A per-process cache of clients, one per app registration and endpoints (GraphClient, SignInClient)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from .config import AppCredentials, GraphEndpoints

logger = logging.getLogger(__name__)
Client = TypeVar("Client")


def connection_key(credentials: AppCredentials, endpoints: GraphEndpoints) -> tuple[str, str, GraphEndpoints]:
    return (credentials.tenant_id.lower(), credentials.client_id.lower(), endpoints)


class ClientCache(Generic[Client]):
    """One client per app registration, endpoints and process, made anew when the credential changes (its
    fingerprint). A forked child (Celery prefork) starts empty: it must not share the parent's pooled sockets."""

    def __init__(self, make: Callable[[AppCredentials, GraphEndpoints], Client]):
        self._make = make
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, GraphEndpoints], Client] = {}
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._after_fork_in_child)

    def get(self, credentials: AppCredentials, endpoints: GraphEndpoints) -> Client:
        key = connection_key(credentials, endpoints)
        fingerprint = credentials.fingerprint()
        with self._lock:
            client = self._clients.get(key)
            if client is None or client.fingerprint != fingerprint:
                if client is not None:
                    logger.info("Credentials changed for tenant %s client %s: new %s", credentials.tenant_id,
                                credentials.client_id, type(client).__name__)
                client = self._make(credentials, endpoints)
                self._clients[key] = client
            return client

    def forget(self, tenant_id: str, client_id: str) -> int:
        """Drop every cached client of this app registration (any endpoints). Returns how many were dropped."""
        with self._lock:
            keys = [k for k in self._clients if k[0] == tenant_id.lower() and k[1] == client_id.lower()]
            for key in keys:
                del self._clients[key]
            return len(keys)

    def clear(self) -> None:
        with self._lock:
            self._clients.clear()

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()
        self._clients.clear()
