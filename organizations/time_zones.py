"""The time zones an organization can choose (IANA names from tzdata), and the country a zone lies in.

Pages show times in the organization's zone (organizations.middleware activates it); exports and APIs stay UTC."""

from datetime import datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

DEFAULT_TIME_ZONE = "UTC"


@cache
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO 3166 country code, from tzdata's zone.tab (one country per zone)."""
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_ = line.split("\t")
            found[zone] = country
    return found


def is_time_zone(name: str) -> bool:
    if name == DEFAULT_TIME_ZONE:
        return True
    if name not in _zone_countries():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def region_for_time_zone(name: str) -> str:
    """The country of a zone ("Europe/Berlin" -> "DE"); "" for UTC."""
    return _zone_countries().get(name, "")


def zone_info(name: str) -> ZoneInfo:
    return ZoneInfo(name if is_time_zone(name) else DEFAULT_TIME_ZONE)


@cache
def _zones() -> tuple[tuple[str, ZoneInfo], ...]:
    """Every zone by name with its rules (loaded once: the rules do not change while a process runs)."""
    return tuple((zone, ZoneInfo(zone)) for zone in sorted(_zone_countries()))


def time_zone_choices(*, now: datetime | None = None) -> list[tuple[str, str]]:
    """UTC first, then every zone by name, each with its offset from UTC at `now` (default: this moment).

    Computed on every call (about 2 ms for the ~420 zones), never kept: an offset changes with daylight saving time.
    """
    now = now or timezone.now()
    choices = [(DEFAULT_TIME_ZONE, "UTC (Coordinated Universal Time)")]
    for zone, rules in _zones():
        offset = now.astimezone(rules).strftime("%z")
        choices.append((zone, f"{zone.replace('_', ' ')} (UTC{offset[:3]}:{offset[3:]})"))
    return choices
