"""Evaluate a parsed filter against a resource held as a plain dict (RFC 7644 §3.4.2.2 semantics).

- Attribute names match case-insensitively; string values compare case-insensitively unless the attribute is
  caseExact (id, externalId, members.value...). Without a shape every string compares case-insensitively.
- A multi-valued attribute matches when any of its values does; a complex attribute compared without a
  sub-attribute is compared through its "value" sub-attribute.
- "ne" is the negation of "eq" (an absent attribute is "not equal"); "eq null" means "not present".
- Booleans compare with booleans; "True"/"False" strings (what Microsoft sends without aadOptscim062020) count as
  booleans. gt/ge/lt/le compare numbers with numbers, dateTimes as instants, other strings lexically.
- Nothing here raises on odd data: a value of an unexpected type simply does not match.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .filters import And, Comparison, Filter, Not, Or, Present, Value, ValuePath
from .paths import AttrPath
from .schema import DATETIME, Attribute, ResourceShape


def ci_get(mapping: Any, key: str) -> Any:
    """mapping[key] with the key matched case-insensitively; None when absent or when mapping is not a dict."""
    if not isinstance(mapping, dict):
        return None
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    for candidate, value in mapping.items():
        if isinstance(candidate, str) and candidate.lower() == lowered:
            return value
    return None


def matches(node: Filter, resource: dict, shape: ResourceShape | None = None) -> bool:
    """Whether the resource satisfies the filter."""
    return _Evaluator(shape).test(node, resource, None)


def matches_element(node: Filter, element: Any, parent: Attribute | None) -> bool:
    """Whether one element of a multi-valued attribute satisfies a valuePath filter (paths relative to it)."""
    return isinstance(element, dict) and _Evaluator(None).test(node, element, parent)


def as_boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _instant(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


class _Evaluator:
    def __init__(self, shape: ResourceShape | None):
        self.shape = shape

    def test(self, node: Filter, data: Any, parent: Attribute | None) -> bool:
        if isinstance(node, And):
            return all(self.test(child, data, parent) for child in node.children)
        if isinstance(node, Or):
            return any(self.test(child, data, parent) for child in node.children)
        if isinstance(node, Not):
            return not self.test(node.child, data, parent)
        if isinstance(node, ValuePath):
            values, definition = self.values(node.path, data, parent)
            inner = _Evaluator(None)
            return any(isinstance(element, dict) and inner.test(node.filter, element, definition) for element in values)
        if isinstance(node, Present):
            values, _ = self.values(node.path, data, parent)
            return any(_present(value) for value in values)
        if isinstance(node, Comparison):
            values, definition = self.values(node.path, data, parent)
            if node.op == "eq" and node.value is None:
                return not any(_present(value) for value in values)
            if node.op == "ne":
                if node.value is None:
                    return any(_present(value) for value in values)
                return not any(_compare("eq", value, node.value, definition) for value in values)
            return any(_compare(node.op, value, node.value, definition) for value in values)
        return False

    def values(self, path: AttrPath, data: Any, parent: Attribute | None) -> tuple[list, Attribute | None]:
        """The values a path designates (flattened over multi-valued attributes) and the leaf's definition."""
        if parent is not None or self.shape is None:
            # Inside brackets, or without a shape: plain lookups.
            container = ci_get(data, path.schema) if path.schema else data
            definition = parent.sub_attribute(path.attribute) if (parent and path.attribute) else None
            if path.attribute is None:
                return ([container] if container is not None else []), None
            return _leaf_values(ci_get(container, path.attribute), path.sub_attribute, definition)
        target = self.shape.resolve(path)
        container = ci_get(data, target.container) if target.container else data
        if target.attribute is None:
            return ([container] if container is not None else []), None
        return _leaf_values(ci_get(container, target.attribute), target.sub_attribute, target.definition)


def _leaf_values(value: Any, sub: str | None, definition: Attribute | None) -> tuple[list, Attribute | None]:
    elements = value if isinstance(value, list) else [value]
    if sub is not None:
        sub_definition = definition.sub_attribute(sub) if definition else None
        found = []
        for element in elements:
            sub_value = ci_get(element, sub)
            found.extend(sub_value if isinstance(sub_value, list) else [sub_value])
        return [item for item in found if item is not None], sub_definition
    return [element for element in elements if element is not None], definition


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


def _compare(op: str, actual: Any, expected: Value, definition: Attribute | None) -> bool:
    if isinstance(actual, dict):
        # A complex value compared without a sub-attribute: its "value" sub-attribute.
        sub_definition = definition.sub_attribute("value") if definition else None
        return _compare(op, ci_get(actual, "value"), expected, sub_definition)
    if isinstance(expected, bool) or (definition is not None and definition.type == "boolean"):
        left, right = as_boolean(actual), as_boolean(expected)
        if left is None or right is None:
            return False
        return op == "eq" and left == right
    if isinstance(expected, (int, float)):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return False
        return _order(op, actual, expected)
    if not isinstance(expected, str) or not isinstance(actual, str):
        return False
    if definition is not None and definition.type == DATETIME and op in ("eq", "gt", "ge", "lt", "le"):
        left_instant, right_instant = _instant(actual), _instant(expected)
        if left_instant is not None and right_instant is not None:
            return _order(op, left_instant, right_instant)
    case_exact = bool(definition and definition.case_exact)
    left_text, right_text = (actual, expected) if case_exact else (actual.casefold(), expected.casefold())
    if op == "co":
        return right_text in left_text
    if op == "sw":
        return left_text.startswith(right_text)
    if op == "ew":
        return left_text.endswith(right_text)
    return _order(op, left_text, right_text)


def _order(op: str, left: Any, right: Any) -> bool:
    if op == "eq":
        return left == right
    if op == "gt":
        return left > right
    if op == "ge":
        return left >= right
    if op == "lt":
        return left < right
    if op == "le":
        return left <= right
    return False
