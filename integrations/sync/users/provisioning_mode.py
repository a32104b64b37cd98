"""Graph pull or SCIM push: an organization takes its users one way at a time.

User synchronization (Graph pull) lives here; SCIM push lives on a floor above and registers a guard from its
AppConfig.ready(). A guard takes the organization and returns why Graph user synchronization may not be switched on
(as the admin should read it), or None.
"""

from collections.abc import Callable

EnableGuard = Callable[[object], str | None]
_guards: list[EnableGuard] = []


def add_enable_guard(guard: EnableGuard) -> None:
    if guard not in _guards:
        _guards.append(guard)


def enable_refusal(organization) -> str | None:
    for guard in _guards:
        reason = guard(organization)
        if reason:
            return reason
    return None
