"""Times as pages show them: "2026-12-02 08:02 CET" in the active time zone (the organization's, activated by
organizations.middleware; UTC elsewhere, e.g. in workers), with the UTC instant alongside. Exports and APIs do not
use this: they write UTC ISO 8601."""

from datetime import UTC, datetime

from django.utils import timezone

SHOWN = "%Y-%m-%d %H:%M"


def local_text(value: datetime, fmt: str = SHOWN) -> str:
    """The time in the active zone with the zone's abbreviation: "2026-12-02 09:02 CET"."""
    local = timezone.localtime(value)
    return f"{local.strftime(fmt)} {local.tzname()}"


def utc_text(value: datetime, fmt: str = SHOWN) -> str:
    return f"{value.astimezone(UTC).strftime(fmt)} UTC"


def utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
