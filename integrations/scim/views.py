"""/scim/v2/: discovery documents, Users and Groups (RFC 7644), for Microsoft Entra provisioning."""

from __future__ import annotations

from django.conf import settings
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from integrations.scim import service
from integrations.scim.endpoint import read_json, scim_endpoint
from integrations.scim.models import ScimResource
from integrations.scim.protocol import ScimError, documents, list_response, parse_page
from integrations.scim.protocol.errors import INVALID_SYNTAX, INVALID_VALUE
from integrations.scim.responses import error, scim_response

DISCOVERY = ("GET",)
COLLECTION = ("GET", "POST")
ITEM = ("GET", "PUT", "PATCH", "DELETE")
PREFIX = "/scim/v2/"


def base_url(request) -> str:
    return f"{settings.PUBLIC_BASE_URL}/scim/v2"


def _projection(request) -> service.Projection:
    return service.Projection(request.GET.get("attributes"), request.GET.get("excludedAttributes"))


@scim_endpoint(DISCOVERY)
def service_provider_config_view(request):
    return scim_response(documents.service_provider_config(base_url(request)))


def _listed(items: list[dict]) -> dict:
    return list_response(items, total_results=len(items), page=parse_page(None, None))


@scim_endpoint(DISCOVERY)
def resource_types_view(request):
    return scim_response(_listed(documents.resource_types(base_url(request))))


@scim_endpoint(DISCOVERY)
def resource_type_view(request, type_id):
    document = documents.resource_type(base_url(request), type_id)
    return scim_response(document) if document else error(404, f"No resource type {type_id[:64]!r}")


@scim_endpoint(DISCOVERY)
def schemas_view(request):
    return scim_response(_listed(documents.schemas(base_url(request))))


@scim_endpoint(DISCOVERY)
def schema_view(request, schema_id):
    document = documents.schema(base_url(request), schema_id)
    return scim_response(document) if document else error(404, f"No schema {schema_id[:100]!r}")


def _collection(request, kind: str):
    if request.method == "POST":
        created = service.resource_create(request.organization, kind, read_json(request), base_url(request))
        return scim_response(created, 201, location=created["meta"]["location"])
    page = parse_page(request.GET.get("startIndex"), request.GET.get("count"))
    return scim_response(service.resource_list(request.organization, kind, filter_text=request.GET.get("filter"),
                                               page=page, base_url=base_url(request), projection=_projection(request)))


def _search(request, kind: str):
    """POST /Users/.search, /Groups/.search (RFC 7644 §3.4.3): the query parameters as a SearchRequest body."""
    body = read_json(request)
    if not isinstance(body, dict):
        raise ScimError(400, INVALID_SYNTAX, "The body must be a SearchRequest object")
    text = {name: body.get(name) for name in ("filter", "attributes", "excludedAttributes", "startIndex", "count")}
    for name in ("attributes", "excludedAttributes"):
        if isinstance(text[name], list):
            text[name] = ",".join(str(item) for item in text[name])
    if any(value is not None and not isinstance(value, (str, int)) for value in text.values()) or \
            any(isinstance(value, bool) for value in text.values()):
        raise ScimError(400, INVALID_VALUE, "filter, attributes, excludedAttributes, startIndex and count must be "
                        "strings or integers")
    page = parse_page(None if text["startIndex"] is None else str(text["startIndex"]),
                      None if text["count"] is None else str(text["count"]))
    projection = service.Projection(text["attributes"], text["excludedAttributes"])
    return scim_response(service.resource_list(request.organization, kind, filter_text=text["filter"], page=page,
                                               base_url=base_url(request), projection=projection))


def _item(request, kind: str, resource_id: str):
    organization = request.organization
    if request.method == "GET":
        return scim_response(service.resource_get(organization, kind, resource_id, base_url(request),
                                                  _projection(request)))
    if request.method == "PUT":
        return scim_response(service.resource_replace(organization, kind, resource_id, read_json(request),
                                                      base_url(request)))
    if request.method == "PATCH":
        patched = service.resource_patch(organization, kind, resource_id, read_json(request), base_url(request))
        # Groups answer 204, as Microsoft's guide shows (a large group's members are not sent back each time).
        return scim_response(None, 204) if kind == ScimResource.Kind.GROUP else scim_response(patched)
    service.resource_delete(organization, kind, resource_id)
    return scim_response(None, 204)


@scim_endpoint(COLLECTION)
def users_view(request):
    return _collection(request, ScimResource.Kind.USER)


@scim_endpoint(ITEM)
def user_view(request, resource_id):
    return _item(request, ScimResource.Kind.USER, resource_id)


@scim_endpoint(("POST",))
def users_search_view(request):
    return _search(request, ScimResource.Kind.USER)


@scim_endpoint(("POST",))
def groups_search_view(request):
    return _search(request, ScimResource.Kind.GROUP)


@scim_endpoint(("POST",))
def root_search_view(request):
    return error(501, "Searching several resource types at once is not supported: POST /Users/.search or "
                 "/Groups/.search.")


@scim_endpoint(COLLECTION)
def groups_view(request):
    return _collection(request, ScimResource.Kind.GROUP)


@scim_endpoint(ITEM)
def group_view(request, resource_id):
    return _item(request, ScimResource.Kind.GROUP, resource_id)


@scim_endpoint(("GET", "POST", "PUT", "PATCH", "DELETE"))
def _nothing_here(request, rest=""):
    return error(404, f"Nothing at /scim/v2/{rest[:100]}: the endpoint serves /Users, /Groups, "
                 "/ServiceProviderConfig, /ResourceTypes and /Schemas.")


@csrf_exempt
def not_found_view(request, rest=""):
    """Unknown paths get a SCIM 404. The Tenant URL is shown with a trailing slash: a client that joins it to
    "/Users" as is ("/scim/v2//Users") is served by the view the single-slash path names."""
    if rest.startswith("/") and rest.strip("/"):
        try:
            match = resolve(f"{PREFIX}{rest.lstrip('/')}")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found_view:
            return match.func(request, *match.args, **match.kwargs)
    return _nothing_here(request, rest)
