"""A directory user (integrations.graph.users.GraphUser) -> the fields of its extension. Pure: no Django, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from extensions.phones import entra_attribute
from integrations.graph.users import GraphUser

# Extension field -> max length (the model's), in the order shown on the settings page.
MAPPED_FIELDS = {
    "display_name": 256, "first_name": 64, "last_name": 64, "email": 254, "job_title": 128, "department": 128,
    "mobile_phone": 32, "business_phone": 32, "entra_upn": 254,
}


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    object_id: str
    upn: str
    enabled: bool
    guest: bool
    fields: dict  # extension field -> value
    source: GraphUser  # what Graph said, for attribute numbering

    @property
    def label(self) -> str:
        name = self.fields.get("display_name") or self.upn
        return f"{name} <{self.upn}>" if self.upn and self.upn != name else name


def directory_user(user: GraphUser, region: str) -> DirectoryUser:
    upn = user.user_principal_name
    fields = {
        "display_name": user.display_name or upn,
        "first_name": user.given_name,
        "last_name": user.surname,
        "email": (user.mail or upn).lower(),
        "job_title": user.job_title,
        "department": user.department,
        "mobile_phone": entra_attribute(user.mobile_phone, region),
        "business_phone": entra_attribute(user.business_phones[0] if user.business_phones else "", region),
        "entra_upn": upn,
    }
    for name, limit in MAPPED_FIELDS.items():
        if len(fields[name]) > limit:
            fields[name] = fields[name][:limit]
    return DirectoryUser(object_id=user.id, upn=upn, enabled=user.account_enabled, guest=user.guest, fields=fields,
                         source=user)
