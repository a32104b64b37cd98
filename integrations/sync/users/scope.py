"""Is a directory user in scope, and if not, why. Pure (the settings object is read, never written)."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.sync.users.mapping import DirectoryUser

IN_SCOPE = "in_scope"
KEEP_DISABLED = "keep_disabled"
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True, slots=True)
class Verdict:
    state: str
    reason: str = ""

    @property
    def provisioned(self) -> bool:
        return self.state != OUT_OF_SCOPE


def verdict_for(user: DirectoryUser, settings) -> Verdict:
    """Scope options that apply to every scope: guests, and disabled accounts."""
    if user.guest and not settings.include_guests:
        return Verdict(OUT_OF_SCOPE, "Guest user, and guests are not synchronized")
    if not user.enabled:
        if settings.disabled_accounts == "keep":
            return Verdict(KEEP_DISABLED, "Account disabled in Entra: extension kept, disabled")
        return Verdict(OUT_OF_SCOPE, "Account disabled in Entra")
    return Verdict(IN_SCOPE)


def scope_description(settings) -> str:
    if settings.scope == "groups":
        names = ", ".join(g.get("name") or g["id"] for g in settings.groups) or "no group chosen"
        return f"Members of {names} (nested groups included)"
    if settings.scope == "filter":
        return f"Users matching {settings.custom_filter!r}"
    return "All users"
