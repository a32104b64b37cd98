"""Whole-resource bookkeeping: the "schemas" list a resource carries, and what changed between two versions."""

from __future__ import annotations

from typing import Any

from .filter_eval import ci_get
from .schema import ResourceShape
from .values import empty, existing_key

SKIPPED_IN_CHANGES = ("schemas", "meta", "id")


def sync_schemas(document: dict, shape: ResourceShape) -> None:
    """Drop emptied extensions and list the core schema plus every extension the resource holds (RFC 7643 §3)."""
    for key in [key for key, value in document.items() if key[:4].lower() == "urn:" and empty(value)]:
        del document[key]
    listed = ci_get(document, "schemas")
    present = [shape.core.id]
    for extension in shape.extensions:
        if existing_key(document, extension.id) is not None:
            present.append(extension.id)
    for urn in listed if isinstance(listed, list) else []:
        if (
            isinstance(urn, str)
            and urn.lower() not in (known.lower() for known in present)
            and existing_key(document, urn) is not None
        ):
            present.append(urn)
    key = existing_key(document, "schemas")
    if key is not None:
        del document[key]
    document["schemas"] = present


def changed_paths(before: dict, after: dict, shape: ResourceShape) -> list[str]:
    """The attribute paths whose values differ, one level deep: "name.givenName", "urn:...:User:department",
    "emails" (a multi-valued attribute counts as one). Keys compare case-insensitively."""
    changes: list[str] = []
    for key in _keys(before, after):
        if key.lower() in SKIPPED_IN_CHANGES:
            continue
        old, new = ci_get(before, key), ci_get(after, key)
        if key[:4].lower() == "urn:" and (isinstance(old, dict) or isinstance(new, dict)):
            changes.extend(f"{key}:{sub}" for sub in _keys(_dict(old), _dict(new)) if _differs(old, new, sub))
        elif isinstance(old, dict) and isinstance(new, dict):
            changes.extend(f"{key}.{sub}" for sub in _keys(old, new) if _differs(old, new, sub))
        elif old != new and not (empty(old) and empty(new)):
            changes.append(key)
    return changes


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _differs(old: Any, new: Any, key: str) -> bool:
    before, after = ci_get(old, key), ci_get(new, key)
    return before != after and not (empty(before) and empty(after))


def _keys(first: dict, second: dict) -> list[str]:
    """Keys of both dicts, each once (case-insensitively), in the spelling of the newer one."""
    seen: dict[str, str] = {}
    for mapping in (second, first):
        for key in mapping:
            seen.setdefault(key.lower(), key)
    return list(seen.values())
