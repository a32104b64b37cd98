"""Attribute paths (RFC 7644 §3.10): [schema URN ":"] attribute ["." sub-attribute].

"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department" holds colons and dots in its URN, so the URN
is recognised as the longest known schema URN the text starts with; an unknown URN ends at the last colon. Names are
case-insensitive; the URN keeps the canonical spelling of the known schema it matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from . import urns
from .errors import ScimError

# RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar); "$ref" is the one reserved sub-attribute starting otherwise.
NAME = re.compile(r"(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)\Z")
KNOWN_SCHEMAS = (urns.USER, urns.GROUP, urns.ENTERPRISE_USER)
MAX_PATH_LENGTH = 512


@dataclass(frozen=True)
class AttrPath:
    schema: str | None
    attribute: str | None
    sub_attribute: str | None = None

    def __str__(self) -> str:
        text = self.attribute or ""
        if self.sub_attribute:
            text = f"{text}.{self.sub_attribute}"
        if self.schema:
            return f"{self.schema}:{text}" if text else self.schema
        return text


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def parse_attr_path(text: str, *, scim_type: str, known_schemas: Iterable[str] = KNOWN_SCHEMAS) -> AttrPath:
    """Parse an attribute path; a malformed one is a 400 with the given scimType (invalidPath, invalidFilter...)."""
    if not isinstance(text, str) or not text or len(text) > MAX_PATH_LENGTH:
        raise ScimError(400, scim_type, f"{_shown(str(text))!r} is not an attribute path")
    schema = None
    rest = text
    if text[:4].lower() == "urn:":
        lowered = text.lower()
        for known in sorted(known_schemas, key=len, reverse=True):
            if lowered == known.lower():
                return AttrPath(known, None, None)
            if lowered.startswith(known.lower() + ":"):
                schema, rest = known, text[len(known) + 1 :]
                break
        else:
            schema, _, rest = text.rpartition(":")
            if not rest or schema.lower() == "urn":
                raise ScimError(400, scim_type, f"{_shown(text)!r}: a schema URN must be followed by ':attribute'")
    attribute, dot, sub = rest.partition(".")
    if not NAME.match(attribute) or (attribute == "$ref" and schema is not None):
        raise ScimError(400, scim_type, f"{_shown(text)!r}: {_shown(attribute)!r} is not a valid attribute name")
    if dot and not NAME.match(sub):
        raise ScimError(400, scim_type, f"{_shown(text)!r}: {_shown(sub)!r} is not a valid sub-attribute name")
    return AttrPath(schema, attribute, sub or None)
