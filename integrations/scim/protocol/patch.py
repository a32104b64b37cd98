"""PATCH (RFC 7644 §3.5.2) applied to a resource held as a plain dict, as Microsoft's provisioning service sends it.

    result = apply_patch(stored, request_body, definitions.USER)
    result.resource   # the new dict (the input is not modified)
    result.changed    # ("active", "name.givenName", "urn:...:User:department", "members"): what really changed

Accepted beyond the letter of the RFC, because Microsoft sends it (Microsoft's SCIM guide for Entra provisioning):
- op names in any case ("Replace", "Add", "Remove");
- a value object without path whose keys are attribute paths: {"name.givenName": "x", "urn:...:User:department": "y"};
- "True"/"False" strings for booleans (values.py), the manager as a bare id string;
- "remove" with path "members" and a value listing the members to remove ([{"value": "id"}]);
- add/replace through a filter that matches no element (emails[type eq "work"].value when the user has no work
  e-mail yet): when the filter is eq comparisons joined by "and", the element it describes is created.
Removing what is not there changes nothing and is not an error (Microsoft retries removals).

Errors are ScimError 400: invalidSyntax (body structure, unknown op), invalidPath (path grammar, a sub-attribute or
filter the attribute cannot have), noTarget (remove without path, a filter matching nothing that describes no
element), invalidValue (value of the wrong type), mutability (readOnly/immutable/required attributes).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from . import urns
from .errors import INVALID_PATH, INVALID_SYNTAX, INVALID_VALUE, MUTABILITY, NO_TARGET, ScimError
from .filter_eval import ci_get, matches_element
from .filters import PatchPath, equality_terms, parse_path
from .paths import AttrPath, parse_attr_path
from .resources import changed_paths, sync_schemas
from .schema import IMMUTABLE, READ_ONLY, ResourceShape, Target
from .values import clean, coerce, coerce_scalar, empty, existing_key, merge, one_primary, put, same_element

MAX_OPERATIONS = 1000
OPERATIONS = ("add", "replace", "remove")


@dataclass(frozen=True)
class PatchResult:
    resource: dict
    changed: tuple[str, ...]


def apply_patch(resource: dict, request: Any, shape: ResourceShape) -> PatchResult:
    operations = read_operations(request)
    document = copy.deepcopy(resource)
    engine = Engine(shape, document)
    for index, (op, path, value) in enumerate(operations, 1):
        engine.apply(op, path, value, f"Operations[{index}]")
    sync_schemas(document, shape)
    return PatchResult(document, tuple(changed_paths(resource, document, shape)))


def read_operations(request: Any) -> list[tuple[str, str | None, Any]]:
    """The (op, path, value) triples of a PatchOp body, checked for structure."""
    if not isinstance(request, dict):
        raise ScimError(400, INVALID_SYNTAX, "The PATCH body must be a JSON object (a PatchOp message)")
    schemas = ci_get(request, "schemas")
    if not isinstance(schemas, list) or not any(
        isinstance(schema, str) and schema.lower() == urns.PATCH_OP.lower() for schema in schemas
    ):
        raise ScimError(400, INVALID_SYNTAX, f'The PATCH body must have "schemas": ["{urns.PATCH_OP}"]')
    operations = ci_get(request, "Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, INVALID_SYNTAX, 'The PATCH body must have a non-empty "Operations" list')
    if len(operations) > MAX_OPERATIONS:
        raise ScimError(400, INVALID_SYNTAX, f"A PATCH may carry at most {MAX_OPERATIONS} operations")
    triples = []
    for index, operation in enumerate(operations, 1):
        where = f"Operations[{index}]"
        if not isinstance(operation, dict):
            raise ScimError(400, INVALID_SYNTAX, f"{where} must be an object with op, path and value")
        op = ci_get(operation, "op")
        if not isinstance(op, str) or op.lower() not in OPERATIONS:
            raise ScimError(400, INVALID_SYNTAX, f'{where}: "op" must be add, replace or remove')
        path = ci_get(operation, "path")
        if path is not None and not isinstance(path, str):
            raise ScimError(400, INVALID_PATH, f'{where}: "path" must be a string')
        has_value = existing_key(operation, "value") is not None
        value = clean(ci_get(operation, "value"), where)
        if op.lower() != "remove" and not has_value:
            raise ScimError(400, INVALID_VALUE, f'{where}: {op.lower()} needs a "value"')
        triples.append((op.lower(), path or None, value))
    return triples


class Engine:
    """Applies operations to a document in place. lenient=True ignores readOnly attributes instead of refusing
    them (how a POST or PUT body is read: Microsoft's POST carries meta.resourceType)."""

    def __init__(self, shape: ResourceShape, document: dict, *, lenient: bool = False):
        self.shape = shape
        self.document = document
        self.lenient = lenient

    def apply(self, op: str, path: str | None, value: Any, where: str) -> None:
        if path is None:
            self.apply_without_path(op, value, where)
            return
        patch_path = parse_path(path)
        attribute = patch_path.attribute
        if patch_path.sub_attribute is not None:
            # attribute[filter].sub: the sub-attribute follows the brackets.
            attribute = AttrPath(attribute.schema, attribute.attribute, patch_path.sub_attribute)
        target = self.shape.resolve(attribute)
        if target.attribute is None:
            self.apply_to_extension(op, target.container, value, where)
            return
        self.apply_to_target(op, target, patch_path, value, where)

    def apply_without_path(self, op: str, value: Any, where: str) -> None:
        if op == "remove":
            raise ScimError(400, NO_TARGET, f"{where}: remove needs a path naming what to remove")
        if not isinstance(value, dict):
            raise ScimError(400, INVALID_VALUE, f"{where}: without a path, the value must be an object of attributes")
        for key, item in value.items():
            if key.lower() == "schemas":
                continue
            attribute = parse_attr_path(key, scim_type=INVALID_PATH, known_schemas=self.shape.schema_urns)
            target = self.shape.resolve(attribute)
            if target.attribute is None:
                self.apply_to_extension(op, target.container, item, where)
            else:
                self.apply_to_target(op, target, PatchPath(attribute), item, where)

    def apply_to_extension(self, op: str, urn: str | None, value: Any, where: str) -> None:
        if urn is None:
            raise ScimError(400, INVALID_PATH, f"{where}: the path names a schema, not an attribute")
        if op == "remove" or value is None:
            key = existing_key(self.document, urn)
            if key is not None:
                del self.document[key]
            return
        if not isinstance(value, dict):
            raise ScimError(400, INVALID_VALUE, f"{where}: {urn} must be an object of its attributes")
        for name, item in value.items():
            attribute = parse_attr_path(name, scim_type=INVALID_PATH, known_schemas=())
            if attribute.schema is not None:
                raise ScimError(400, INVALID_PATH, f"{where}: {name!r} inside {urn} must be an attribute name")
            path = AttrPath(urn, attribute.attribute, attribute.sub_attribute)
            self.apply_to_target(op, self.shape.resolve(path), PatchPath(path), item, where)

    # -- one attribute ---------------------------------------------------------------------------------------
    def apply_to_target(self, op: str, target: Target, path: PatchPath, value: Any, where: str) -> None:
        if not self.writable(op, target, path, value, where):
            return
        container = self.container(target, create=op != "remove")
        if container is None:
            return
        definition = target.definition
        current = ci_get(container, target.attribute)
        if definition is not None:
            multi_valued = definition.multi_valued
        else:  # an attribute the shape does not declare: shaped by its values (a sub-attribute's list value says
            # nothing of its parent: emails.value = [...] on a single emails object writes into that object)
            multi_valued = isinstance(current, list) or (
                op != "remove" and isinstance(value, list) and target.sub_attribute is None)
        if path.value_filter is not None:
            if definition is not None and not multi_valued:
                raise ScimError(400, INVALID_PATH, f"{where}: {target.display} is not multi-valued; it takes no filter")
            self.apply_filtered(op, container, target, path, current, value, where)
        elif target.sub_attribute is not None:
            self.apply_sub_attribute(op, container, target, current, multi_valued, value, where)
        elif op == "remove":
            self.remove(container, target, current, multi_valued, value)
        else:
            self.write(op, container, target, current, multi_valued, value, where)
        self.drop_empty_container(target)

    def writable(self, op: str, target: Target, path: PatchPath, value: Any, where: str) -> bool:
        definition = target.definition
        leaf = target.sub_definition if target.sub_attribute else definition
        if (definition and definition.mutability == READ_ONLY) or (leaf and leaf.mutability == READ_ONLY):
            if self.lenient:
                return False
            raise ScimError(400, MUTABILITY, f"{where}: {target.display} is readOnly")
        if target.sub_attribute and leaf and leaf.mutability == IMMUTABLE and (op != "add" or path.value_filter):
            raise ScimError(400, MUTABILITY, f"{where}: {target.display} is immutable")
        removes = op == "remove" and path.value_filter is None and target.sub_attribute is None and value is None
        if definition and definition.required and not self.lenient and (removes or (op != "remove" and empty(value))):
            raise ScimError(400, MUTABILITY, f"{where}: {target.display} is required and cannot be removed")
        return True

    def container(self, target: Target, *, create: bool) -> dict | None:
        if target.container is None:
            return self.document
        key = existing_key(self.document, target.container)
        holder = self.document.get(key) if key is not None else None
        if isinstance(holder, dict):
            return holder
        if not create:
            return None
        holder = {}
        put(self.document, target.container, None)
        self.document[target.container] = holder
        return holder

    def drop_empty_container(self, target: Target) -> None:
        if target.container is not None:
            key = existing_key(self.document, target.container)
            if key is not None and empty(self.document[key]):
                del self.document[key]

    def write(self, op: str, container: dict, target: Target, current: Any, multi: bool, value: Any, where: str):
        definition = target.definition
        new = coerce(definition, value, where)
        if multi:
            items = new if isinstance(new, list) else ([] if new is None else [new])
            items = [_without_nulls(item) for item in items]
            items = [item for item in items if not empty(item)]
            if op == "replace":
                put(container, target.attribute, items)
                return
            elements = list(current) if isinstance(current, list) else ([] if current is None else [current])
            for item in items:
                if not empty(item) and not any(same_element(item, element, definition) for element in elements):
                    elements.append(item)
                    one_primary(elements, item)
            put(container, target.attribute, elements)
        elif isinstance(new, dict) and (definition is None or definition.is_complex):
            put(container, target.attribute, merge(current, new))
        else:
            put(container, target.attribute, new)

    def remove(self, container: dict, target: Target, current: Any, multi: bool, value: Any) -> None:
        if value is None or not multi:
            put(container, target.attribute, None)
            return
        # Microsoft without aadOptscim062020: {"op": "Remove", "path": "members", "value": [{"value": "id"}]}.
        selectors = value if isinstance(value, list) else [value]
        elements = current if isinstance(current, list) else ([] if current is None else [current])
        kept = [
            element
            for element in elements
            if not any(same_element(selector, element, target.definition) for selector in selectors)
        ]
        put(container, target.attribute, kept)

    def apply_sub_attribute(self, op, container, target: Target, current, multi: bool, value, where: str) -> None:
        definition, sub = target.definition, target.sub_attribute
        if definition is not None and not definition.is_complex:
            raise ScimError(400, INVALID_PATH, f"{where}: {definition.name} has no sub-attributes")
        new = None if op == "remove" else _coerce_sub(target, value, where)
        if multi or isinstance(current, list):
            listed = current if isinstance(current, list) else [current] if isinstance(current, dict) else []
            elements = [element for element in listed if isinstance(element, dict)]
            if not elements and new is not None:
                elements = [{}]
            for element in elements:
                put(element, sub, new)
            put(container, target.attribute, [element for element in elements if element])
        else:
            holder = dict(current) if isinstance(current, dict) else {}
            put(holder, sub, new)
            put(container, target.attribute, holder)

    def apply_filtered(self, op, container, target: Target, path: PatchPath, current, value, where: str) -> None:
        definition = target.definition
        elements = list(current) if isinstance(current, list) else ([] if current is None else [current])
        chosen = [element for element in elements if matches_element(path.value_filter, element, definition)]
        if op == "remove":
            if target.sub_attribute is None:
                elements = [element for element in elements if not any(element is c for c in chosen)]
            else:
                for element in chosen:
                    put(element, target.sub_attribute, None)
            put(container, target.attribute, [element for element in elements if not empty(element)])
            return
        created = not chosen
        if created:
            chosen = [self.described_element(path, target, where)]
            elements.append(chosen[0])
        for element in chosen:
            if target.sub_attribute is not None:
                put(element, target.sub_attribute, _coerce_sub(target, value, where))
            else:
                update = coerce(definition, value, where) if definition else value
                update = update[0] if isinstance(update, list) and len(update) == 1 else update
                if not isinstance(update, dict):
                    raise ScimError(400, INVALID_VALUE, f"{where}: {target.display}[...] takes an object value")
                merged = merge(element, update)
                element.clear()
                element.update(merged)
            one_primary(elements, element)
        if created and not matches_element(path.value_filter, chosen[0], definition):
            raise ScimError(400, INVALID_VALUE, f"{where}: the value contradicts the filter of {target.display}")
        put(container, target.attribute, [element for element in elements if not empty(element)])

    def described_element(self, path: PatchPath, target: Target, where: str) -> dict:
        """The element an eq-only filter describes: type eq "work" becomes {"type": "work"}."""
        terms = equality_terms(path.value_filter)
        if not terms:
            raise ScimError(400, NO_TARGET, f"{where}: the filter on {target.display} matches no value")
        element: dict = {}
        for name, term in terms.items():
            sub = target.definition.sub_attribute(name) if target.definition else None
            element[sub.name if sub else name] = coerce_scalar(sub, term, where) if sub else term
        return element


def _coerce_sub(target: Target, value: Any, where: str) -> Any:
    if value is None or target.sub_definition is None:
        return value
    return coerce_scalar(target.sub_definition, value, where)


def _without_nulls(item: Any) -> Any:
    return {key: value for key, value in item.items() if value is not None} if isinstance(item, dict) else item
