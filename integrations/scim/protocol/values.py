"""Attribute values: checking what a client sent and bringing it into the shape its definition calls for.

- Strings may not hold NUL or lone surrogates (PostgreSQL cannot store them); values nest at most MAX_VALUE_DEPTH.
- Booleans: true/false, or the "True"/"False" strings Microsoft sends without the aadOptscim062020 flag.
- A complex attribute with a "value" sub-attribute takes a bare string as {"value": ...}: Microsoft sends the
  enterprise manager as the manager's id. A single-valued attribute takes a one-element list (Microsoft's legacy
  manager sample sends [{"$ref": ..., "value": ...}]).
- Sub-attribute names take their canonical spelling ("Value" -> "value"); readOnly sub-attributes a client sends
  (members.display, manager.displayName) are dropped, as RFC 7643 §2.2 lets a service provider ignore them.
- Attributes the shape does not declare are kept as sent.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import INVALID_VALUE, ScimError
from .filter_eval import as_boolean, ci_get
from .schema import BOOLEAN, DECIMAL, INTEGER, READ_ONLY, Attribute

MAX_VALUE_DEPTH = 8
FORBIDDEN_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def invalid(detail: str) -> ScimError:
    return ScimError(400, INVALID_VALUE, detail)


def clean(value: Any, where: str, depth: int = 0) -> Any:
    """Reject what no storage should receive; return the value unchanged otherwise."""
    if depth > MAX_VALUE_DEPTH:
        raise invalid(f"{where}: the value nests deeper than {MAX_VALUE_DEPTH} levels")
    if isinstance(value, str):
        if FORBIDDEN_CHARACTERS.search(value):
            raise invalid(f"{where}: the value contains a NUL character or a lone surrogate")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise invalid(f"{where}: numbers must be finite")
    elif isinstance(value, list):
        for item in value:
            clean(item, where, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key or FORBIDDEN_CHARACTERS.search(key):
                raise invalid(f"{where}: attribute names must be non-empty strings")
            clean(item, where, depth + 1)
    elif value is not None and not isinstance(value, (bool, int)):
        raise invalid(f"{where}: {type(value).__name__} is not a JSON value")
    return value


def coerce(definition: Attribute | None, value: Any, where: str) -> Any:
    """The value in its definition's shape (a list for a multi-valued attribute); None stays None (unassigned)."""
    if value is None or definition is None:
        return value
    if definition.multi_valued:
        items = value if isinstance(value, list) else [value]
        return [_coerce_single(definition, item, where) for item in items if item is not None]
    if isinstance(value, list):
        if len(value) != 1:
            raise invalid(f"{where}: {definition.name} takes a single value, not a list")
        value = value[0]
    return _coerce_single(definition, value, where)


def _coerce_single(definition: Attribute, value: Any, where: str) -> Any:
    if not definition.is_complex:
        return coerce_scalar(definition, value, where)
    if isinstance(value, str) and definition.sub_attribute("value") is not None:
        value = {"value": value}
    if not isinstance(value, dict):
        raise invalid(f"{where}: {definition.name} must be an object")
    result: dict = {}
    for key, item in value.items():
        sub = definition.sub_attribute(key)
        if sub is None:
            result[key] = item
        elif sub.mutability != READ_ONLY:
            result[sub.name] = None if item is None else coerce_scalar(sub, item, where)
    return result


def coerce_scalar(definition: Attribute, value: Any, where: str) -> Any:
    if definition.type == BOOLEAN:
        boolean = as_boolean(value)
        if boolean is None:
            raise invalid(f"{where}: {definition.name} must be true or false")
        return boolean
    if definition.type == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(f"{where}: {definition.name} must be an integer")
        return value
    if definition.type == DECIMAL:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid(f"{where}: {definition.name} must be a number")
        return value
    if not isinstance(value, str):
        raise invalid(f"{where}: {definition.name} must be a string")
    return value


def empty(value: Any) -> bool:
    """Unassigned in the sense of RFC 7643 §2.5: null, an empty list or an empty object."""
    return value is None or (isinstance(value, (list, dict)) and not value)


def existing_key(mapping: dict, name: str) -> str | None:
    if name in mapping:
        return name
    lowered = name.lower()
    for key in mapping:
        if key.lower() == lowered:
            return key
    return None


def put(mapping: dict, name: str, value: Any) -> None:
    """Set mapping[name] under its canonical spelling, or remove it when the value is unassigned."""
    key = existing_key(mapping, name)
    if key is not None:
        del mapping[key]
    if not empty(value):
        mapping[name] = value


def merge(existing: Any, update: dict) -> dict:
    """Complex-attribute merge (RFC 7644 §3.5.2.1/3): the sub-attributes sent replace, None unassigns, others stay."""
    result = dict(existing) if isinstance(existing, dict) else {}
    for name, value in update.items():
        put(result, name, value)
    return result


def same_element(candidate: Any, element: Any, definition: Attribute | None) -> bool:
    """Whether an element of a multi-valued attribute is the one a client names: every sub-attribute the client
    gave (ignoring nulls) equals the element's; "value" compares case-exactly only when so defined."""
    if not isinstance(candidate, dict):
        return candidate == element
    if not isinstance(element, dict):
        return False
    given = {key: value for key, value in candidate.items() if value is not None}
    if not given:
        return False
    for key, value in given.items():
        present = ci_get(element, key)
        sub = definition.sub_attribute(key) if definition else None
        if isinstance(value, str) and isinstance(present, str) and not (sub and sub.case_exact):
            if value.casefold() != present.casefold():
                return False
        elif present != value:
            return False
    return True


def one_primary(elements: list, chosen: Any) -> None:
    """RFC 7643 §2.4: at most one element is primary; the one just written wins."""
    if isinstance(chosen, dict) and chosen.get("primary") is True:
        for element in elements:
            if element is not chosen and isinstance(element, dict) and element.get("primary") is True:
                element["primary"] = False
