"""When an organization's app registration stops being its connection: the connection is deleted, or saved with
another tenant or application (the old credential is replaced in the same save).

What other rooms hold at Microsoft under the old app (change-notification subscriptions) can only be undone with the
old credential, so they register a hook here from their AppConfig.ready(). Hooks run inside the transaction that
makes the change, while the old credential can still be read; they only write rows and queue work (the web process
never waits on Microsoft).
"""

from __future__ import annotations

from collections.abc import Callable

from integrations.models import EntraConnection

_hooks: list[Callable[[EntraConnection], None]] = []


def register_connection_retiring(hook: Callable[[EntraConnection], None]) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def connection_retiring(connection: EntraConnection) -> None:
    """`connection` as stored (the old tenant, application and credential) is about to go."""
    for hook in _hooks:
        hook(connection)


def same_app(stored: EntraConnection, tenant_id: str, client_id: str) -> bool:
    """Whether the saved tenant and application are the stored ones (a new secret for the same app is the same app;
    the tenant may be named by its GUID or a domain)."""
    tenants = {stored.tenant_id.strip().lower(), stored.directory_tenant_id.lower()} - {""}
    return client_id.strip().lower() == stored.client_id.strip().lower() and tenant_id.strip().lower() in tenants
