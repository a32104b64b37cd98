"""The sync kinds: how to tell whether a kind is switched on for an organization, and how to execute a run.

Each kind names its executor by dotted path (imported when a run executes), so adding contacts or presence is
one entry here. An executor is ``execute(ctx: RunContext) -> None``: it reads through ``ctx.client``, records
actions with ``ctx.event(...)`` and counts with ``ctx.add(...)``, calls ``ctx.flush()`` after each page, and may
set ``ctx.outcome`` to NEEDS_APPROVAL. Raising a Graph error fails the run (and never removes anything).
"""

from dataclasses import dataclass

from django.utils.module_loading import import_string

from integrations.models import EntraConnection
from integrations.sync.models import SyncKind


@dataclass(frozen=True)
class KindSpec:
    kind: str
    executor: str  # dotted path of execute(ctx)
    feature_field: str  # EntraConnection flag that switches the kind on
    default_interval_seconds: int
    min_interval_seconds: int

    def execute(self, ctx) -> None:
        import_string(self.executor)(ctx)

    def enabled_for(self, connection: EntraConnection | None) -> bool:
        return bool(connection and connection.pk and getattr(connection, self.feature_field))


KINDS: dict[str, KindSpec] = {
    SyncKind.USERS: KindSpec(SyncKind.USERS, "integrations.sync.users.engine.execute", "feature_user_sync",
                             default_interval_seconds=300, min_interval_seconds=60),
    SyncKind.CONTACTS: KindSpec(SyncKind.CONTACTS, "contacts.sync.engine.execute", "feature_contacts",
                                default_interval_seconds=900, min_interval_seconds=300),
    SyncKind.PRESENCE: KindSpec(SyncKind.PRESENCE, "presence.poll.execute", "feature_presence",
                                default_interval_seconds=30, min_interval_seconds=10),
}


def kind_spec(kind: str) -> KindSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown sync kind {kind!r}") from None


def why_not_runnable(connection: EntraConnection | None, kind: str) -> str | None:
    """None when a run of this kind may start now; otherwise the reason, as the admin should read it."""
    spec = kind_spec(kind)
    if connection is None or not connection.pk or not connection.is_configured:
        return "Microsoft Entra ID is not connected: enter the connection settings and Test Connection."
    if not spec.enabled_for(connection):
        return f"{SyncKind(kind).label} synchronization is switched off."
    if connection.syncs_paused:
        return f"Syncs are paused because the credential was rejected: {connection.status_detail}".rstrip(": ")
    return None
