"""The "attributes" and "excludedAttributes" query parameters (RFC 7644 §3.4.2.5, §3.9).

Microsoft's provisioning service asks GET /Groups?excludedAttributes=members: its groups answer without members.
Attributes returned "always" (id, schemas) stay whatever is asked. Names are case-insensitive, comma-separated,
optionally schema-qualified ("urn:...:User:department") or sub-attributes ("name.givenName"). Names the resource
does not have are ignored; a malformed name is a 400 invalidValue.
"""

from __future__ import annotations

import copy

from .errors import INVALID_VALUE
from .filter_eval import ci_get
from .paths import parse_attr_path
from .schema import ResourceShape, Target
from .values import existing_key

MAX_NAMES = 100
ALWAYS = ("id", "schemas")


def _targets(raw: str | None, shape: ResourceShape) -> list[Target]:
    if raw is None or not raw.strip():
        return []
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if len(names) > MAX_NAMES:
        names = names[:MAX_NAMES]
    return [
        shape.resolve(parse_attr_path(name, scim_type=INVALID_VALUE, known_schemas=shape.schema_urns)) for name in names
    ]


def project(
    resource: dict, shape: ResourceShape, *, attributes: str | None = None, excluded_attributes: str | None = None
) -> dict:
    """A copy of the resource restricted as asked. "attributes" wins when both are given (RFC 7644 §3.9)."""
    wanted = _targets(attributes, shape)
    if wanted:
        return _keep(resource, wanted)
    result = copy.deepcopy(resource)
    for target in _targets(excluded_attributes, shape):
        _drop(result, target)
    return result


def _keep(resource: dict, targets: list[Target]) -> dict:
    result: dict = {}
    for name in ALWAYS:
        key = existing_key(resource, name)
        if key is not None:
            result[key] = copy.deepcopy(resource[key])
    for target in targets:
        source = ci_get(resource, target.container) if target.container else resource
        if not isinstance(source, dict):
            continue
        holder = result
        if target.container:
            holder = result.setdefault(existing_key(resource, target.container), {})
        if target.attribute is None:
            holder.update(copy.deepcopy(source))
            continue
        key = existing_key(source, target.attribute)
        if key is None:
            continue
        value = source[key]
        if target.sub_attribute is None:
            holder[key] = copy.deepcopy(value)
        elif isinstance(value, dict):
            sub_key = existing_key(value, target.sub_attribute)
            if sub_key is not None:
                holder.setdefault(key, {})[sub_key] = copy.deepcopy(value[sub_key])
        elif isinstance(value, list):
            if not isinstance(holder.get(key), list):
                holder[key] = [{} for _ in value]
            kept = holder[key]
            for element, out in zip(value, kept, strict=False):
                sub_key = existing_key(element, target.sub_attribute) if isinstance(element, dict) else None
                if sub_key is not None and isinstance(out, dict):
                    out[sub_key] = copy.deepcopy(element[sub_key])
    for key, value in list(result.items()):
        if isinstance(value, list):
            result[key] = [element for element in value if element != {}]
    for key in [key for key, value in result.items() if value in ({}, [])]:
        del result[key]
    return result


def _drop(result: dict, target: Target) -> None:
    holder = ci_get(result, target.container) if target.container else result
    if not isinstance(holder, dict):
        return
    if target.attribute is None:
        key = existing_key(result, target.container)
        if key is not None:
            del result[key]
        return
    if target.attribute.lower() in ALWAYS and target.container is None:
        return
    key = existing_key(holder, target.attribute)
    if key is None:
        return
    if target.sub_attribute is None:
        del holder[key]
        return
    value = holder[key]
    for element in value if isinstance(value, list) else [value]:
        sub_key = existing_key(element, target.sub_attribute) if isinstance(element, dict) else None
        if sub_key is not None:
            del element[sub_key]
