"""Paging of list responses (RFC 7644 §3.4.2.4) and the ListResponse message.

startIndex is 1-based: a value below 1 is read as 1. count is the page size: a negative value is read as 0 (the
response then carries totalResults and no Resources), a value above the maximum is cut to it, and an absent one is
the maximum. Anything that is not an integer is a 400 invalidValue: the RFC gives no reading for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import urns
from .errors import INVALID_VALUE, ScimError

MAX_PAGE_SIZE = 100
INTEGER = re.compile(r"[+-]?[0-9]{1,30}\Z")


@dataclass(frozen=True)
class Page:
    start_index: int
    count: int

    @property
    def offset(self) -> int:
        """The zero-based offset of the first resource (for slicing a query)."""
        return self.start_index - 1

    @property
    def stop(self) -> int:
        return self.offset + self.count


def _integer(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    text = str(raw).strip()
    if text == "":
        return None
    if not INTEGER.match(text):
        raise ScimError(400, INVALID_VALUE, f"{name} must be an integer, got {text[:30]!r}")
    return int(text)


def parse_page(start_index: str | None, count: str | None, *, max_count: int = MAX_PAGE_SIZE) -> Page:
    """The page the query parameters ask for, as raw strings (None when absent)."""
    start = _integer(start_index, "startIndex")
    size = _integer(count, "count")
    start = 1 if start is None or start < 1 else start
    size = max_count if size is None else max(0, min(size, max_count))
    return Page(start, size)


def list_response(resources: list[dict], *, total_results: int, page: Page) -> dict:
    return {
        "schemas": [urns.LIST_RESPONSE],
        "totalResults": total_results,
        "startIndex": page.start_index,
        "itemsPerPage": len(resources),
        "Resources": list(resources),
    }
