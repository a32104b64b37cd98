"""SCIM Users and Groups of one organization: read, list, create, replace, patch, delete.

Documents are kept as the protocol core reads and writes them (integrations.scim.protocol), without "id" and
"meta", which are added on the way out. Every write runs in one transaction with the organization's SCIM lock held
(log.RequestLog), then provisioning.py applies its effect to extensions and extension groups.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from extensions.models import Extension
from integrations.scim import provisioning
from integrations.scim.log import RequestLog
from integrations.scim.models import ScimResource
from integrations.scim.protocol import (
    Page,
    ScimError,
    apply_patch,
    definitions,
    list_response,
    matches,
    parse_filter,
    project,
    read_resource,
)
from integrations.scim.protocol.errors import INVALID_VALUE, conflict, not_found
from integrations.scim.protocol.filter_eval import ci_get
from integrations.scim.protocol.filters import equality_terms
from integrations.scim.protocol.schema import ResourceShape

MAX_NAME_LENGTH = 512
SHAPES = {ScimResource.Kind.USER: definitions.USER, ScimResource.Kind.GROUP: definitions.GROUP}
NAME_ATTRIBUTE = {ScimResource.Kind.USER: "userName", ScimResource.Kind.GROUP: "displayName"}
ENDPOINT = {ScimResource.Kind.USER: "Users", ScimResource.Kind.GROUP: "Groups"}


@dataclass(frozen=True)
class Projection:
    attributes: str | None = None
    excluded_attributes: str | None = None


# -- reading ----------------------------------------------------------------------------------------------------
def as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text))
    except (ValueError, AttributeError, TypeError):
        return None


def _get(organization, kind: str, resource_id: str, *, lock: bool = False) -> ScimResource:
    pk = as_uuid(resource_id)
    rows = ScimResource.objects.filter(organization=organization, kind=kind, pk=pk) if pk else None
    if lock and rows is not None:
        rows = rows.select_for_update()
    resource = rows.first() if rows is not None else None
    if resource is None:
        raise not_found(f"No {kind} with id {str(resource_id)[:64]!r} in this organization")
    return resource


def output(resource: ScimResource, base_url: str) -> dict:
    """The stored document with id and meta (RFC 7643 §3.1)."""
    document = {"id": str(resource.pk), **resource.document}
    document["meta"] = {
        "resourceType": resource.kind,
        "created": resource.created_at.isoformat().replace("+00:00", "Z"),
        "lastModified": resource.updated_at.isoformat().replace("+00:00", "Z"),
        "location": f"{base_url.rstrip('/')}/{ENDPOINT[resource.kind]}/{resource.pk}",
    }
    return document


def resource_get(organization, kind: str, resource_id: str, base_url: str, projection: Projection) -> dict:
    resource = _get(organization, kind, resource_id)
    return project(output(resource, base_url), SHAPES[kind], attributes=projection.attributes,
                   excluded_attributes=projection.excluded_attributes)


def _indexed_query(organization, kind: str, terms: dict) -> object | None:
    """The rows an eq/and filter on id, externalId, userName or a group's displayName selects (via indexes), or
    None when the filter needs the documents themselves."""
    rows = ScimResource.objects.filter(organization=organization, kind=kind)
    name = NAME_ATTRIBUTE[kind].lower()
    core = SHAPES[kind].core.id.lower() + ":"
    for path, value in terms.items():
        key = path.lower().removeprefix(core)
        if key not in ("id", "externalid", name):
            return None
        if not isinstance(value, str):
            return rows.none()
        if key == "id":
            pk = as_uuid(value)
            rows = rows.filter(pk=pk) if pk else rows.none()
        elif key == "externalid":
            rows = rows.filter(external_id=value)
        else:
            rows = rows.filter(name_key=value.lower())
    return rows


def resource_list(organization, kind: str, *, filter_text: str | None, page: Page, base_url: str,
                  projection: Projection) -> dict:
    shape = SHAPES[kind]
    rows = ScimResource.objects.filter(organization=organization, kind=kind)
    node = parse_filter(filter_text) if filter_text and filter_text.strip() else None
    if node is not None:
        terms = equality_terms(node)
        indexed = _indexed_query(organization, kind, terms) if terms else None
        if indexed is not None:
            rows, node = indexed, None
    if node is None:
        total = rows.count()
        chosen = list(rows.order_by("created_at", "pk")[page.offset:page.stop]) if page.count else []
        documents = [output(resource, base_url) for resource in chosen]
    else:  # a filter the indexes cannot answer: evaluated on the documents (RFC 7644 semantics, protocol core)
        found = [document for document in (output(resource, base_url)
                                           for resource in rows.order_by("created_at", "pk").iterator(chunk_size=2000))
                 if matches(node, document, shape)]
        total = len(found)
        documents = found[page.offset:page.stop] if page.count else []
    shown = [project(document, shape, attributes=projection.attributes,
                     excluded_attributes=projection.excluded_attributes) for document in documents]
    return list_response(shown, total_results=total, page=page)


# -- writing ----------------------------------------------------------------------------------------------------
def _name_key(document: dict, kind: str) -> str:
    name = ci_get(document, NAME_ATTRIBUTE[kind])
    if not isinstance(name, str) or not name.strip():
        raise ScimError(400, INVALID_VALUE, f"{NAME_ATTRIBUTE[kind]} is required")
    if len(name) > MAX_NAME_LENGTH:
        raise ScimError(400, INVALID_VALUE, f"{NAME_ATTRIBUTE[kind]} may be at most {MAX_NAME_LENGTH} characters")
    return name.strip().lower()


def _external_id(document: dict) -> str:
    value = ci_get(document, "externalId")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_NAME_LENGTH:
        raise ScimError(400, INVALID_VALUE, f"externalId must be a string of at most {MAX_NAME_LENGTH} characters")
    return value


def _subject(document: dict, kind: str) -> str:
    return str(ci_get(document, NAME_ATTRIBUTE[kind]) or "")[:300]


def _taken(organization, kind: str, name_key: str, exclude=None) -> bool:
    rows = ScimResource.objects.filter(organization=organization, kind=kind, name_key=name_key)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.exists()


def _new_user_id(organization, document: dict, name_key: str) -> tuple[uuid.UUID, bool]:
    """The id of a new SCIM User, which is also its extension's entra_object_id: (id, adopted an extension).

    externalId holding a GUID (Entra's objectId mapped to it, as the README advises) becomes the id, so the
    extension binds to the Entra user; otherwise an extension synced earlier for the same user principal name is
    adopted (switching from Graph pull keeps every number); otherwise a new id.
    """
    candidate = as_uuid(_external_id(document))
    if candidate and not ScimResource.objects.filter(pk=candidate).exists():
        adopted = Extension.objects.filter(organization=organization, entra_object_id=candidate,
                                           source=Extension.Source.ENTRA).exists()
        return candidate, adopted
    match = (Extension.objects.filter(organization=organization, source=Extension.Source.ENTRA,
                                      entra_upn__iexact=name_key, entra_object_id__isnull=False)
             .values_list("entra_object_id", flat=True).first())
    if match and not ScimResource.objects.filter(pk=match).exists():
        return match, True
    return uuid.uuid4(), False


def _user_effect(log: RequestLog, resource: ScimResource, request: str) -> None:
    provisioning.user_provisioned(log, str(resource.pk), resource.document, request=request)


def _members(organization, document: dict) -> list[str]:
    """The member ids of a Group document; each must be a User of this organization."""
    members = ci_get(document, "members") or []
    ids = [str(ci_get(member, "value")) for member in members if isinstance(member, dict)]
    uuids = {as_uuid(value) for value in ids}
    if None in uuids:
        raise ScimError(400, INVALID_VALUE, "members: every value must be the id of a User of this endpoint")
    known = set(ScimResource.objects.filter(organization=organization, kind=ScimResource.Kind.USER, pk__in=uuids)
                .values_list("pk", flat=True)) if uuids else set()
    unknown = [value for value in ids if as_uuid(value) not in known]
    if unknown:
        raise ScimError(400, INVALID_VALUE, f"members: no User with id {unknown[0][:64]!r} in this organization")
    return [str(as_uuid(value)) for value in ids]


def _group_effect(log: RequestLog, resource: ScimResource, request: str, *, created: bool,
                  before: dict | None = None) -> None:
    provisioning.group_mirrored(log, str(resource.pk), _subject(resource.document, resource.kind),
                                _members(log.organization, resource.document), request=request, created=created,
                                before=before)


def resource_create(organization, kind: str, payload, base_url: str) -> dict:
    shape: ResourceShape = SHAPES[kind]
    document = read_resource(payload, shape)
    name_key = _name_key(document, kind)
    external_id = _external_id(document)
    request = f"POST /{ENDPOINT[kind]}"
    with transaction.atomic():
        log = RequestLog(organization)
        if _taken(organization, kind, name_key):
            raise conflict(f"A {kind} with {NAME_ATTRIBUTE[kind]} {_subject(document, kind)!r} already exists")
        adopted = False
        if kind == ScimResource.Kind.USER:
            pk, adopted = _new_user_id(organization, document, name_key)
        else:
            candidate = as_uuid(external_id)
            pk = candidate if candidate and not ScimResource.objects.filter(pk=candidate).exists() else uuid.uuid4()
            _members(organization, document)
        try:
            with transaction.atomic():
                resource = ScimResource.objects.create(pk=pk, organization=organization, kind=kind, name_key=name_key,
                                                       external_id=external_id, document=document)
        except IntegrityError as exc:
            raise conflict(f"A {kind} with this {NAME_ATTRIBUTE[kind]} or id already exists") from exc
        if kind == ScimResource.Kind.USER:
            if adopted:
                provisioning.user_adopted(log, str(pk), _subject(document, kind), request=request)
            _user_effect(log, resource, request)
        else:
            _group_effect(log, resource, request, created=True)
        log.flush()
    return output(resource, base_url)


def _save(resource: ScimResource, document: dict, kind: str) -> None:
    name_key = _name_key(document, kind)
    if name_key != resource.name_key and _taken(resource.organization, kind, name_key, exclude=resource.pk):
        raise conflict(f"A {kind} with {NAME_ATTRIBUTE[kind]} {_subject(document, kind)!r} already exists")
    resource.name_key, resource.external_id, resource.document = name_key, _external_id(document), document
    resource.save(update_fields=["name_key", "external_id", "document", "updated_at"])


def resource_replace(organization, kind: str, resource_id: str, payload, base_url: str) -> dict:
    document = read_resource(payload, SHAPES[kind])
    resource = _write(organization, kind, resource_id, f"PUT /{ENDPOINT[kind]}/{resource_id}"[:120],
                      lambda stored: document)
    return output(resource, base_url)


def resource_patch(organization, kind: str, resource_id: str, payload, base_url: str) -> dict:
    """The patched resource. A PATCH that changes nothing writes nothing and logs nothing."""
    resource = _write(organization, kind, resource_id, f"PATCH /{ENDPOINT[kind]}/{resource_id}"[:120],
                      lambda stored: apply_patch(stored, payload, SHAPES[kind]).resource)
    return output(resource, base_url)


def _write(organization, kind: str, resource_id: str, request: str, change) -> ScimResource:
    with transaction.atomic():
        log = RequestLog(organization)
        resource = _get(organization, kind, resource_id, lock=True)
        before = resource.document
        document = change(before)
        if document != before:
            before_members = len(ci_get(before, "members") or [])
            _save(resource, document, kind)
            if kind == ScimResource.Kind.USER:
                _user_effect(log, resource, request)
            else:
                _group_effect(log, resource, request, created=False,
                              before={"name": _subject(before, kind), "members": before_members})
        log.flush()
    return resource


def resource_delete(organization, kind: str, resource_id: str) -> None:
    with transaction.atomic():
        log = RequestLog(organization)
        resource = _get(organization, kind, resource_id, lock=True)
        subject, pk = _subject(resource.document, kind), str(resource.pk)
        resource.delete()
        request = f"DELETE /{ENDPOINT[kind]}/{resource_id}"[:120]
        if kind == ScimResource.Kind.USER:
            _drop_from_groups(organization, pk)
            provisioning.user_deprovisioned(log, pk, subject, request=request)
        else:
            provisioning.group_removed(log, pk, subject, request=request)
        log.flush()


def _drop_from_groups(organization, user_id: str) -> None:
    """A deleted User leaves the Groups listing it (their extension groups lose the extension when it goes)."""
    groups = ScimResource.objects.filter(organization=organization, kind=ScimResource.Kind.GROUP)
    for group in groups.iterator(chunk_size=500):
        listed = ci_get(group.document, "members") or []
        members = [member for member in listed
                   if not (isinstance(member, dict) and str(ci_get(member, "value")) == user_id)]
        if len(members) == len(listed):
            continue
        group.document = {**group.document, "members": members} if members else \
            {key: value for key, value in group.document.items() if key.lower() != "members"}
        group.save(update_fields=["document", "updated_at"])
