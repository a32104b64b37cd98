"""A Graph user object -> the fields of its extension. Pure: no Django, no HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

# What user sync reads ($select): everything the mapping, the scope and attribute numbering need.
USER_SELECT = ("id,displayName,givenName,surname,mail,userPrincipalName,accountEnabled,userType,jobTitle,"
               "department,mobilePhone,businessPhones,employeeId,onPremisesExtensionAttributes")

# Extension field -> max length (the model's), in the order shown on the settings page.
MAPPED_FIELDS = {
    "display_name": 256, "first_name": 64, "last_name": 64, "email": 254, "job_title": 128, "department": 128,
    "mobile_phone": 32, "business_phone": 32, "entra_upn": 254,
}
MAPPING_ROWS = (
    ("Display name", "displayName (userPrincipalName when empty)"),
    ("First name", "givenName"),
    ("Last name", "surname"),
    ("E-mail", "mail, falling back to userPrincipalName"),
    ("Job title", "jobTitle"),
    ("Department", "department"),
    ("Mobile phone", "mobilePhone (E.164 when it is a valid number)"),
    ("Business phone", "businessPhones[0] (E.164 when it is a valid number)"),
)

_SIMPLE_INTERNATIONAL = re.compile(r"^\+[0-9 ()./-]+$")


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    object_id: str
    upn: str
    enabled: bool
    guest: bool
    fields: dict  # extension field -> value
    raw: dict  # the Graph object, for attribute numbering

    @property
    def label(self) -> str:
        name = self.fields.get("display_name") or self.upn
        return f"{name} <{self.upn}>" if self.upn and self.upn != name else name


def normalize_phone(value: str | None, region: str) -> str:
    """E.164 when the value is a valid number, else the value as given (trimmed to fit)."""
    value = (value or "").strip()
    if not value:
        return ""
    if _SIMPLE_INTERNATIONAL.match(value):  # the common "+1 425 555 0100" form: no parsing needed
        digits = re.sub(r"\D", "", value)
        if 8 <= len(digits) <= 15:
            return "+" + digits
    try:
        parsed = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        return value[:32]
    if not phonenumbers.is_valid_number(parsed):
        return value[:32]
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def directory_user(user: dict, region: str) -> DirectoryUser:
    upn = (user.get("userPrincipalName") or "").strip()
    phones = user.get("businessPhones") or []
    fields = {
        "display_name": (user.get("displayName") or "").strip() or upn,
        "first_name": (user.get("givenName") or "").strip(),
        "last_name": (user.get("surname") or "").strip(),
        "email": ((user.get("mail") or "").strip() or upn).lower(),
        "job_title": (user.get("jobTitle") or "").strip(),
        "department": (user.get("department") or "").strip(),
        "mobile_phone": normalize_phone(user.get("mobilePhone"), region),
        "business_phone": normalize_phone(phones[0] if phones else "", region),
        "entra_upn": upn,
    }
    for name, limit in MAPPED_FIELDS.items():
        if len(fields[name]) > limit:
            fields[name] = fields[name][:limit]
    return DirectoryUser(
        object_id=str(user["id"]).lower(), upn=upn, enabled=user.get("accountEnabled") is not False,
        guest=(user.get("userType") or "Member") == "Guest", fields=fields, raw=user,
    )
