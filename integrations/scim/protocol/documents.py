"""The discovery documents (RFC 7644 §4, RFC 7643 §5-§7): /ServiceProviderConfig, /ResourceTypes, /Schemas.

    base = "https://pbx.example.com/scim/v2"
    service_provider_config(base)        # the document
    resource_types(base), schemas(base)  # lists, for listing.list_response()
    resource_type(base, "User"), schema(base, urn)   # one by id; None when unknown (a 404)

meta.location is built from base_url. Only what the endpoint does is announced: PATCH yes; bulk, sort,
changePassword and ETags no; filter yes, maxResults being the page size; authentication by a long-lived bearer token
(the Secret Token field of Microsoft's provisioning configuration). Microsoft asks that absent values are left out
rather than sent as null, and that characteristic values are camel-cased ("readWrite"): both hold here.
"""

from __future__ import annotations

from . import definitions, urns
from .listing import MAX_PAGE_SIZE
from .schema import REFERENCE, Attribute, ResourceSchema, ResourceShape, find_named


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def service_provider_config(base_url: str, *, max_results: int = MAX_PAGE_SIZE) -> dict:
    return {
        "schemas": [urns.SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": max_results},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "The Secret Token shown once on the portal's SCIM provisioning tab, sent as "
                "'Authorization: Bearer <token>'.",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{_base(base_url)}/ServiceProviderConfig"},
    }


def _resource_type(base_url: str, shape: ResourceShape) -> dict:
    document = {
        "schemas": [urns.RESOURCE_TYPE],
        "id": shape.name,
        "name": shape.name,
        "endpoint": shape.endpoint,
        "description": shape.description,
        "schema": shape.core.id,
        "meta": {"resourceType": "ResourceType", "location": f"{_base(base_url)}/ResourceTypes/{shape.name}"},
    }
    if shape.extensions:
        document["schemaExtensions"] = [{"schema": extension.id, "required": False} for extension in shape.extensions]
    return document


def resource_types(base_url: str) -> list[dict]:
    return [_resource_type(base_url, shape) for shape in definitions.SHAPES]


def resource_type(base_url: str, type_id: str) -> dict | None:
    shape = find_named(definitions.SHAPES, type_id)
    return _resource_type(base_url, shape) if shape else None


def attribute_document(attribute: Attribute) -> dict:
    document: dict = {
        "name": attribute.name,
        "type": attribute.type,
        "multiValued": attribute.multi_valued,
        "description": attribute.description,
        "required": attribute.required,
        "caseExact": attribute.case_exact,
        "mutability": attribute.mutability,
        "returned": attribute.returned,
        "uniqueness": attribute.uniqueness,
    }
    if attribute.canonical_values:
        document["canonicalValues"] = list(attribute.canonical_values)
    if attribute.type == REFERENCE:
        document["referenceTypes"] = list(attribute.reference_types)
    if attribute.sub_attributes:
        document["subAttributes"] = [attribute_document(sub) for sub in attribute.sub_attributes]
    return document


def _schema(base_url: str, resource_schema: ResourceSchema) -> dict:
    return {
        "schemas": [urns.SCHEMA],
        "id": resource_schema.id,
        "name": resource_schema.name,
        "description": resource_schema.description,
        "attributes": [attribute_document(attribute) for attribute in resource_schema.attributes],
        "meta": {"resourceType": "Schema", "location": f"{_base(base_url)}/Schemas/{resource_schema.id}"},
    }


def schemas(base_url: str) -> list[dict]:
    return [_schema(base_url, resource_schema) for resource_schema in definitions.SCHEMAS]


def schema(base_url: str, schema_id: str) -> dict | None:
    resource_schema = find_named(definitions.SCHEMAS, schema_id, key="id")
    return _schema(base_url, resource_schema) if resource_schema else None
