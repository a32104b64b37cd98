"""What each sync kind subscribes to, registered from its own app's AppConfig.ready() (this room knows no app
above it): ``register_targets(kind, targets)`` where ``targets(organization) -> list[Wanted]``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from integrations.graph.subscriptions import Target


@dataclass(frozen=True)
class Wanted:
    target: Target
    key: str = ""  # what a notification narrows the run to (a mailbox id for contacts); "" for the whole kind


TARGETS: dict[str, Callable] = {}


def register_targets(kind: str, targets: Callable) -> None:
    TARGETS[kind] = targets


def wanted_for(organization, kind: str) -> list[Wanted]:
    provider = TARGETS.get(kind)
    return list(provider(organization)) if provider else []
