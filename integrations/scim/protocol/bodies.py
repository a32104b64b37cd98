"""Reading a POST or PUT body into a resource dict: the same value rules as PATCH, readOnly attributes ignored.

    user = read_resource(request_body, definitions.USER)

Microsoft's POST /Users carries meta.resourceType and "roles": []: both are dropped (readOnly, and an empty value is
unassigned). Unqualified enterprise attributes ("department": null in Microsoft's legacy sample) land in the
enterprise extension. Attributes the shape does not declare are kept as sent. A missing required attribute (userName,
a group's displayName) is a 400 invalidValue.
"""

from __future__ import annotations

from typing import Any

from .errors import INVALID_SYNTAX, INVALID_VALUE, ScimError
from .filter_eval import ci_get
from .patch import Engine
from .resources import sync_schemas
from .schema import ResourceShape
from .values import clean, empty


def read_resource(payload: Any, shape: ResourceShape) -> dict:
    if not isinstance(payload, dict):
        raise ScimError(400, INVALID_SYNTAX, f"The body must be a JSON object (a SCIM {shape.name})")
    clean(payload, "body")
    document: dict = {}
    Engine(shape, document, lenient=True).apply_without_path("replace", payload, "body")
    sync_schemas(document, shape)
    check_required(document, shape)
    return document


def check_required(document: dict, shape: ResourceShape) -> None:
    for attribute in shape.core.attributes:
        if attribute.required and empty(ci_get(document, attribute.name)):
            raise ScimError(400, INVALID_VALUE, f"{attribute.name} is required")
