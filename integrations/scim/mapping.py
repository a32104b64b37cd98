"""A SCIM User document -> the directory record Graph sync maps (integrations.graph.users.GraphUser), so that both
provisioning paths map attributes, number extensions and judge scope with the same code.

    userName                                   -> the user principal name (and the e-mail when none is given)
    displayName (name.formatted when absent)   -> display name
    name.givenName / name.familyName           -> first / last name
    emails (primary, else type work, else the first) .value -> e-mail
    title                                      -> job title
    phoneNumbers[type eq "mobile"].value       -> mobile phone
    phoneNumbers[type eq "work"].value         -> business phone (and number from businessPhones)
    active                                     -> account enabled (false disables the extension)
    enterprise department / employeeNumber     -> department / employee id (numbering "employeeId")
"""

from __future__ import annotations

from typing import Any

from integrations.graph.users import GraphUser
from integrations.scim.protocol import urns
from integrations.scim.protocol.filter_eval import as_boolean, ci_get

# What the SCIM tab and the README show: SCIM attribute -> extension field.
ATTRIBUTE_MAP = (
    ("userName", "Entra user principal name (and e-mail when no e-mail is sent)"),
    ("displayName", "Display name (name.formatted, then userName, when empty)"),
    ("name.givenName", "First name"),
    ("name.familyName", "Last name"),
    ('emails[type eq "work"].value', "E-mail (the primary one, else the work one)"),
    ("title", "Job title"),
    ("urn:…:enterprise:2.0:User:department", "Department"),
    ('phoneNumbers[type eq "mobile"].value', "Mobile phone (E.164 when valid)"),
    ('phoneNumbers[type eq "work"].value', "Business phone (E.164 when valid)"),
    ("urn:…:enterprise:2.0:User:employeeNumber", "Employee id (usable for the extension number)"),
    ("active", "false disables the extension (or removes it, as User Synchronization's settings say)"),
    ("externalId", "Set it to objectId: the extension then binds to the Entra user for SSO and presence"),
)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _typed(values: Any, kind: str) -> list[str]:
    if not isinstance(values, list):
        return []
    return [_text(ci_get(item, "value")) for item in values
            if isinstance(item, dict) and _text(ci_get(item, "type")).lower() == kind and _text(ci_get(item, "value"))]


def _email(values: Any) -> str:
    if not isinstance(values, list):
        return ""
    items = [item for item in values if isinstance(item, dict) and _text(ci_get(item, "value"))]
    for wanted in (lambda item: ci_get(item, "primary") is True, lambda item: _text(ci_get(item, "type")) == "work",
                   lambda item: True):
        for item in items:
            if wanted(item):
                return _text(ci_get(item, "value"))
    return ""


def directory_record(object_id: str, document: dict) -> GraphUser:
    name = ci_get(document, "name")
    enterprise = ci_get(document, urns.ENTERPRISE_USER)
    active = as_boolean(ci_get(document, "active"))
    phones = ci_get(document, "phoneNumbers")
    mobile = _typed(phones, "mobile")
    return GraphUser(
        id=str(object_id).lower(),
        display_name=_text(ci_get(document, "displayName")) or _text(ci_get(name, "formatted")),
        given_name=_text(ci_get(name, "givenName")),
        surname=_text(ci_get(name, "familyName")),
        mail=_email(ci_get(document, "emails")),
        user_principal_name=_text(ci_get(document, "userName")),
        account_enabled=active is not False,
        guest=False,  # who is provisioned is decided by assignment in Entra
        job_title=_text(ci_get(document, "title")),
        department=_text(ci_get(enterprise, "department")),
        mobile_phone=mobile[0] if mobile else "",
        business_phones=tuple(_typed(phones, "work")),
        employee_id=_text(ci_get(enterprise, "employeeNumber")),
    )
