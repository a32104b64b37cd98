"""Extension numbers for synced users: automatic from a range, or taken from a directory attribute. Pure.

A user keeps their number for life: an existing extension keeps its number; a user whose extension was deleted
gets the retained number back. Numbers held by anyone else (manual extensions included) are never taken over:
a collision is reported as a conflict for that user.
"""

from __future__ import annotations

import re

from extensions.validators import EXTENSION_NUMBER_RE

_RANGE_ITEM = re.compile(r"^\s*(\d{2,10})\s*(?:-\s*(\d{2,10}))?\s*$")


def parse_reserved(text: str) -> list[tuple[int, int]]:
    """'1000-1009, 1111' -> [(1000, 1009), (1111, 1111)]. Raises ValueError naming the bad item."""
    ranges = []
    for item in re.split(r"[,;\s]+", re.sub(r"\s*-\s*", "-", text or "")):
        if not item:
            continue
        match = _RANGE_ITEM.match(item)
        if not match:
            raise ValueError(f"“{item.strip()}” is not a number or a range like 1000-1009.")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low:
            raise ValueError(f"“{item.strip()}”: the range ends before it starts.")
        ranges.append((low, high))
    return ranges


def number_from_attribute(value: str | None, attribute: str, rule: str, digits: int) -> tuple[str | None, str | None]:
    """(number, None) or (None, why it cannot be used), from the value of a directory attribute (named
    `attribute` in the reason)."""
    if value is None or not str(value).strip():
        return None, f"{attribute} is empty"
    only_digits = re.sub(r"\D", "", str(value))
    if rule == "last_digits":
        if len(only_digits) < digits:
            return None, f"{attribute} “{value}” has fewer than {digits} digits"
        number = only_digits[-digits:]
    else:
        number = only_digits
    if not EXTENSION_NUMBER_RE.fullmatch(number):
        return None, f"{attribute} “{value}” gives “{number}”, not a valid extension number (2 to 10 digits, not " \
                     "starting with 0)"
    return number, None


class NumberBook:
    """The organization's numbers during a run: who holds each, what is reserved, and the next free one."""

    def __init__(self, holders: dict[str, str], retained: dict[str, str], reserved: list[tuple[int, int]],
                 range_start: int, range_end: int, labels: dict[str, str] | None = None):
        self.holders = holders  # number -> holder key ("user:<oid>" or a manual extension's label)
        self.labels = labels or {}  # "user:<oid>" -> display name, for conflict messages
        self.retained = retained  # oid -> number retained for them
        self._retained_numbers = {number: oid for oid, number in retained.items()}
        self.reserved = reserved
        self.range_start, self.range_end = range_start, range_end
        self._cursor = range_start

    def is_reserved(self, number: str) -> bool:
        value = int(number)
        return any(low <= value <= high for low, high in self.reserved)

    def assignable(self, number: str) -> bool:
        """The number may be given out when no one holds it: a valid extension number outside the reserved ranges."""
        return not self.is_reserved(number) and bool(EXTENSION_NUMBER_RE.fullmatch(number))

    def holder(self, number: str) -> str | None:
        holder = self.holders.get(number)
        if holder is None and number in self._retained_numbers:
            return f"user:{self._retained_numbers[number]}"
        return holder

    def free_for(self, number: str, oid: str) -> bool:
        holder = self.holder(number)
        return holder is None or holder == f"user:{oid}"

    def take(self, number: str, oid: str) -> None:
        self.holders[number] = f"user:{oid}"

    def release(self, number: str) -> None:
        self.holders.pop(number, None)

    def next_free(self, oid: str) -> str | None:
        retained = self.retained.get(oid)
        if retained and self.free_for(retained, oid):
            return retained
        while self._cursor <= self.range_end:
            candidate = str(self._cursor)
            self._cursor += 1
            if self.holder(candidate) is None and self.assignable(candidate):
                return candidate
        return None


class LazyNumberBook:
    """Loads the organization's numbers on first use: a run that creates nobody and renumbers nobody (most
    incremental runs) never reads them."""

    def __init__(self, load):
        self._load = load
        self._book: NumberBook | None = None

    @property
    def loaded(self) -> bool:
        return self._book is not None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._book is None:
            self._book = self._load()
        return getattr(self._book, name)
