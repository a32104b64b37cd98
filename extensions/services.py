"""Writes to extensions made by administrators, each recorded in the audit log."""

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from extensions.models import Extension
from organizations.audit import audit_record, field_changes

AUDITED_FIELDS = (
    "number", "display_name", "first_name", "last_name", "email",
    "job_title", "department", "business_phone", "mobile_phone", "status",
)
# How an extension's fields read in the audit list and in the sync log's before/after, in the words of the
# extension's page (no stored code such as entra_upn is shown to an admin).
FIELD_WORDS = {
    "number": "Extension number", "display_name": "Display name", "first_name": "Given name",
    "last_name": "Surname", "email": "E-mail", "job_title": "Job title", "department": "Department",
    "business_phone": "Business phone", "mobile_phone": "Mobile phone", "status": "Status",
    "entra_upn": "User principal name", "entra_object_id": "Object ID",
}


class DuplicateExtensionNumber(Exception):
    pass


def extension_snapshot(extension: Extension) -> dict:
    return model_to_dict(extension, fields=AUDITED_FIELDS)


@transaction.atomic
def extension_save(*, extension: Extension, actor, before: dict | None = None) -> Extension:
    """Insert or update an extension built by a validated form, recording what changed."""
    creating = extension.pk is None
    try:
        with transaction.atomic():
            extension.save()
    except IntegrityError as exc:  # a concurrent admin took the number between validation and save
        raise DuplicateExtensionNumber(extension.number) from exc
    audit_record(
        organization=extension.organization,
        actor=actor,
        action="extension.created" if creating else "extension.updated",
        target=f"Extension {extension.number}",
        changes=field_changes(before or {}, extension_snapshot(extension)),
    )
    return extension


@transaction.atomic
def extension_set_status(*, extension: Extension, status: str, actor) -> Extension:
    if extension.status == status:
        return extension
    before = extension.status
    extension.status = status
    extension.save(update_fields=["status", "updated_at"])
    audit_record(
        organization=extension.organization,
        actor=actor,
        action="extension.enabled" if status == Extension.Status.ACTIVE else "extension.disabled",
        target=f"Extension {extension.number}",
        changes={"status": [before, status]},
    )
    return extension
