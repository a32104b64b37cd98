"""SCIM answers: application/scim+json bodies and RFC 7644 error objects, for the views and the input guard."""

from __future__ import annotations

import json

from django.http import HttpResponse

from integrations.scim.protocol import ScimError

CONTENT_TYPE = "application/scim+json"


def scim_response(body: dict | None, status: int = 200, *, location: str | None = None) -> HttpResponse:
    response = HttpResponse(b"" if body is None else json.dumps(body).encode(), status=status,
                            content_type=CONTENT_TYPE if body is not None else None)
    if location:
        response["Location"] = location
    return response


def scim_error_response(error: ScimError, *, headers: dict | None = None) -> HttpResponse:
    response = scim_response(error.to_dict(), error.status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error(status: int, detail: str, scim_type: str | None = None, **headers: str) -> HttpResponse:
    return scim_error_response(ScimError(status, scim_type, detail), headers=headers)


def guard_error(request, status: int, problem: str) -> HttpResponse:
    """What the portal's bad-input guard answers on /scim/ (a NUL, a body too large or too deep)."""
    scim_type = "invalidSyntax" if status == 400 else None
    return error(status, problem, scim_type)
