"""Attribute definitions (RFC 7643 §7) and the resolution of an attribute path against a resource type.

A ResourceShape is what a resource type is made of: its core schema, its extension schemas and the common attributes
(id, externalId, meta). Every other module asks it what an attribute is: its canonical spelling, its type, whether it
is multi-valued, case-exact, writable. Attribute names are case-insensitive (RFC 7643 §2.1); lookups here are too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from .paths import AttrPath

Named = TypeVar("Named")


def find_named(items: Iterable[Named], name: str, key: str = "name") -> Named | None:
    """The item whose `key` attribute equals name, compared case-insensitively (RFC 7643 §2.1)."""
    lowered = name.lower()
    for item in items:
        if getattr(item, key).lower() == lowered:
            return item
    return None


STRING = "string"
BOOLEAN = "boolean"
DECIMAL = "decimal"
INTEGER = "integer"
DATETIME = "dateTime"
REFERENCE = "reference"
COMPLEX = "complex"
BINARY = "binary"

READ_ONLY = "readOnly"
READ_WRITE = "readWrite"
IMMUTABLE = "immutable"
WRITE_ONLY = "writeOnly"


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str = STRING
    multi_valued: bool = False
    description: str = ""
    required: bool = False
    case_exact: bool = False
    mutability: str = READ_WRITE
    returned: str = "default"
    uniqueness: str = "none"
    sub_attributes: tuple[Attribute, ...] = ()
    canonical_values: tuple[str, ...] = ()
    reference_types: tuple[str, ...] = ()

    def sub_attribute(self, name: str) -> Attribute | None:
        return find_named(self.sub_attributes, name)

    @property
    def is_complex(self) -> bool:
        return self.type == COMPLEX


@dataclass(frozen=True)
class ResourceSchema:
    id: str
    name: str
    description: str
    attributes: tuple[Attribute, ...]

    def attribute(self, name: str) -> Attribute | None:
        return find_named(self.attributes, name)


@dataclass(frozen=True)
class Target:
    """Where an attribute path lands in a resource dict.

    container is None for the core schema and the common attributes (top level of the resource), or the
    extension's URN, under which the extension's attributes are nested. attribute/sub_attribute are the canonical
    names when the shape knows them, the names as written otherwise; definition/sub_definition are None for
    attributes the shape does not declare (they are stored as sent, shaped by their values).
    """

    container: str | None
    attribute: str | None
    sub_attribute: str | None
    definition: Attribute | None
    sub_definition: Attribute | None

    @property
    def display(self) -> str:
        """The path in canonical spelling, as the "changed" lists and error details show it."""
        return str(AttrPath(self.container, self.attribute, self.sub_attribute))


@dataclass(frozen=True)
class ResourceShape:
    name: str
    endpoint: str
    description: str
    core: ResourceSchema
    extensions: tuple[ResourceSchema, ...] = ()
    common: tuple[Attribute, ...] = field(default=())

    @property
    def schema_urns(self) -> tuple[str, ...]:
        return (self.core.id, *(extension.id for extension in self.extensions))

    def extension(self, urn: str) -> ResourceSchema | None:
        return find_named(self.extensions, urn, key="id")

    def resolve(self, path: AttrPath) -> Target:
        """Resolve a path. Unqualified names are the core schema's or common ones; failing that, a name that exactly
        one extension declares (Microsoft's legacy sample sends "manager" without the enterprise URN)."""
        if path.schema is not None and path.schema.lower() != self.core.id.lower():
            extension = self.extension(path.schema)
            urn = extension.id if extension else path.schema
            definition = extension.attribute(path.attribute) if (extension and path.attribute) else None
            return self._target(urn, path, definition)
        if path.attribute is None:
            return Target(None, None, None, None, None)
        definition = self.core.attribute(path.attribute) or find_named(self.common, path.attribute)
        if definition is None and path.schema is None:
            owners = [ext for ext in self.extensions if ext.attribute(path.attribute)]
            if len(owners) == 1:
                return self._target(owners[0].id, path, owners[0].attribute(path.attribute))
        return self._target(None, path, definition)

    @staticmethod
    def _target(container: str | None, path: AttrPath, definition: Attribute | None) -> Target:
        attribute = definition.name if definition else path.attribute
        sub_definition = None
        sub_attribute = path.sub_attribute
        if definition is not None and sub_attribute is not None:
            sub_definition = definition.sub_attribute(sub_attribute)
            if sub_definition is not None:
                sub_attribute = sub_definition.name
        return Target(container, attribute, sub_attribute, definition, sub_definition)

    def case_exact(self, path: AttrPath) -> bool:
        target = self.resolve(path)
        leaf = target.sub_definition or (target.definition if target.sub_attribute is None else None)
        if target.definition is not None and target.sub_attribute is None and target.definition.is_complex:
            leaf = target.definition.sub_attribute("value")
        return bool(leaf and leaf.case_exact)
