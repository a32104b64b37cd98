"""The sync kinds, each registered by its own app from AppConfig.ready(): how to tell whether a kind is switched on
for an organization, how to execute a run, and how its counts read to scripts.

An executor is ``execute(ctx: RunContext) -> None``: it reads through ``ctx.client``, records actions with
``ctx.event(...)`` and counts with ``ctx.add(...)``, calls ``ctx.flush()`` after each page, and may set
``ctx.outcome`` to NEEDS_APPROVAL. Raising a Graph error fails the run (and never removes anything).
The machinery (runs, dispatch, schedules, the log) imports no app above it: the apps come to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from integrations.models import EntraConnection
from integrations.sync.failures import NOT_CONNECTED
from integrations.sync.models import SyncKind


def counts_as_they_are(counts: dict) -> dict:
    return dict(counts)


@dataclass(frozen=True)
class KindSpec:
    kind: str
    execute: Callable  # execute(ctx) -> None
    feature_field: str  # EntraConnection flag that switches the kind on
    default_interval_seconds: int
    min_interval_seconds: int
    summary: Callable[[dict], dict] = counts_as_they_are  # a run's counts as the commands' JSON shows them
    # True: the feature switch turns on *automatic* runs only; an admin's explicit run (Sync Now, Preview, the
    # command) works with the saved settings while it is off.
    explicit_runs_when_off: bool = False
    on_reject: Callable | None = None  # on_reject(run): an admin rejected the removals the run held
    # quiet(counts) -> True: a scheduled run with this outcome, no event and no error is not a log entry (frequent
    # polls would bury the user syncs); the kind keeps its counts on its own status instead.
    quiet: Callable[[dict], bool] | None = None

    def enabled_for(self, connection: EntraConnection | None) -> bool:
        return bool(connection and connection.pk and getattr(connection, self.feature_field))


KINDS: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> None:
    if spec.kind not in SyncKind.values:
        raise ValueError(f"{spec.kind!r} is not a SyncKind")
    KINDS[spec.kind] = spec


def kind_spec(kind: str) -> KindSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown sync kind {kind!r}") from None


def why_not_runnable(connection: EntraConnection | None, kind: str, *, explicit: bool = False) -> str | None:
    """None when a run of this kind may start now; otherwise the reason, as the admin should read it.

    explicit: the run was asked for by a person (Sync Now, Preview, a command), not by the schedule."""
    spec = kind_spec(kind)
    if connection is None or not connection.pk or not connection.is_configured:
        return NOT_CONNECTED
    if not spec.enabled_for(connection) and not (explicit and spec.explicit_runs_when_off):
        return f"{SyncKind(kind).label} synchronization is switched off."
    if connection.syncs_paused:
        return f"Syncs are paused because the credential was rejected: {connection.status_detail}".rstrip(": ")
    return None
