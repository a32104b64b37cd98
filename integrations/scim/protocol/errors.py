"""SCIM errors (RFC 7644 §3.12): one exception type that renders as the SCIM error object.

Every failure of the protocol core is a ScimError; nothing else escapes it, whatever the input.
"""

from __future__ import annotations

from . import urns

# RFC 7644 §3.12, table 9.
INVALID_FILTER = "invalidFilter"
TOO_MANY = "tooMany"
UNIQUENESS = "uniqueness"
MUTABILITY = "mutability"
INVALID_SYNTAX = "invalidSyntax"
INVALID_PATH = "invalidPath"
NO_TARGET = "noTarget"
INVALID_VALUE = "invalidValue"
INVALID_VERSION = "invalidVers"
SENSITIVE = "sensitive"

SCIM_TYPES = frozenset(
    {
        INVALID_FILTER,
        TOO_MANY,
        UNIQUENESS,
        MUTABILITY,
        INVALID_SYNTAX,
        INVALID_PATH,
        NO_TARGET,
        INVALID_VALUE,
        INVALID_VERSION,
        SENSITIVE,
    }
)


class ScimError(Exception):
    """A SCIM error response: HTTP status, optional scimType and a detail that names the cause and the fix."""

    def __init__(self, status: int, scim_type: str | None, detail: str):
        if scim_type is not None and scim_type not in SCIM_TYPES:
            raise ValueError(f"unknown scimType {scim_type!r}")
        super().__init__(detail)
        self.status = int(status)
        self.scim_type = scim_type
        self.detail = detail

    def to_dict(self) -> dict:
        """The RFC 7644 error object; "status" is a string, as the RFC's examples and Microsoft's show it."""
        body: dict = {"schemas": [urns.ERROR], "status": str(self.status)}
        if self.scim_type:
            body["scimType"] = self.scim_type
        body["detail"] = self.detail
        return body

    def __repr__(self) -> str:
        return f"ScimError({self.status}, {self.scim_type!r}, {self.detail!r})"


def bad_request(scim_type: str, detail: str) -> ScimError:
    return ScimError(400, scim_type, detail)


def not_found(detail: str) -> ScimError:
    return ScimError(404, None, detail)


def conflict(detail: str) -> ScimError:
    """409 with scimType "uniqueness": what Microsoft expects when a userName (or group displayName) is taken."""
    return ScimError(409, UNIQUENESS, detail)
