"""A WSGI app serving only the discovery documents of integrations/scim/protocol/documents.py, so that the real
conformance checker (scim2-tester) can judge them before the Django views exist. Not a test module."""

import json

from integrations.scim.protocol import documents
from integrations.scim.protocol.errors import ScimError, not_found
from integrations.scim.protocol.listing import list_response, parse_page

BASE_PATH = "/scim/v2"
BASE_URL = f"http://testserver{BASE_PATH}"


def _respond(start_response, status: int, body: dict):
    payload = json.dumps(body).encode()
    reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}[status]
    start_response(
        f"{status} {reason}", [("Content-Type", "application/scim+json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


def _listed(items: list[dict]) -> dict:
    return list_response(items, total_results=len(items), page=parse_page(None, None))


def _document(path: str) -> dict | None:
    if path == "/ServiceProviderConfig":
        return documents.service_provider_config(BASE_URL)
    if path == "/ResourceTypes":
        return _listed(documents.resource_types(BASE_URL))
    if path == "/Schemas":
        return _listed(documents.schemas(BASE_URL))
    if path.startswith("/ResourceTypes/"):
        return documents.resource_type(BASE_URL, path.removeprefix("/ResourceTypes/"))
    if path.startswith("/Schemas/"):
        return documents.schema(BASE_URL, path.removeprefix("/Schemas/"))
    return None


def app(environ, start_response):
    path = environ["PATH_INFO"]
    rest = path[len(BASE_PATH) :] if path.startswith(BASE_PATH) else ""
    document = _document(rest)
    if document is None:
        return _respond(start_response, 404, not_found(f"No resource at {path}").to_dict())
    if environ["REQUEST_METHOD"] != "GET":
        return _respond(start_response, 405, ScimError(405, None, "Discovery endpoints answer GET only").to_dict())
    return _respond(start_response, 200, document)
