"""Planning: a delta page of Outlook contacts + the stored fingerprints -> creates, updates and deletes.

Pure: no database, no HTTP. Each contact is reduced to the PBX's fields (phones normalized to E.164 in the
organization's region, originals kept) and a fingerprint, so an unchanged contact costs no write.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from contacts.phones import normalize

PHONE_SOURCES = (("businessPhones", "business"), ("mobilePhone", "mobile"), ("homePhones", "home"))


@dataclass(frozen=True)
class ContactData:
    source_id: str
    display_name: str
    given_name: str
    surname: str
    company_name: str
    job_title: str
    department: str
    emails: tuple[str, ...]
    phones: tuple[tuple[str, str, str, str, str], ...]  # (kind, original, e164, digits, national)
    fingerprint: str

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""

    @property
    def name_key(self) -> str:
        return self.display_name.casefold()

    @property
    def search_text(self) -> str:
        parts = [self.display_name, self.given_name, self.surname, self.company_name, self.job_title,
                 self.department, *self.emails]
        return " ".join(p for p in parts if p).casefold()


@dataclass
class PagePlan:
    creates: list[ContactData] = field(default_factory=list)
    updates: list[ContactData] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # every live id on the page, changed or not


def _text(value, limit: int) -> str:
    return " ".join(str(value).split())[:limit] if value else ""


def contact_from_graph(item: dict, region: str) -> ContactData:
    emails = []
    for entry in item.get("emailAddresses") or []:
        address = _text((entry or {}).get("address"), 254).lower()
        if address and address not in emails:
            emails.append(address)
    phones = []
    for key, kind in PHONE_SOURCES:
        values = item.get(key)
        for raw in values if isinstance(values, list) else [values]:
            number = normalize(str(raw), region) if raw else None
            if number is not None:
                phones.append((kind, number.original, number.e164, number.digits, number.national))
    given, surname = _text(item.get("givenName"), 128), _text(item.get("surname"), 128)
    company = _text(item.get("companyName"), 256)
    name = (_text(item.get("displayName"), 256) or " ".join(p for p in (given, surname) if p) or company
            or (emails[0] if emails else "") or (phones[0][1] if phones else "") or "(no name)")
    values = (name, given, surname, company, _text(item.get("jobTitle"), 256), _text(item.get("department"), 256),
              tuple(emails), tuple(phones))
    fingerprint = hashlib.md5(json.dumps(values, separators=(",", ":")).encode(), usedforsecurity=False).hexdigest()
    return ContactData(str(item["id"]), *values, fingerprint=fingerprint)


def plan_page(items: list[dict], existing: dict[str, str], region: str) -> PagePlan:
    """`existing` maps the source ids of this page already stored in the folder to their fingerprints.

    Delta can repeat an item within a round: the last occurrence wins, and nothing is planned twice."""
    latest: dict[str, dict] = {}
    for item in items:
        if isinstance(item, dict) and item.get("id"):
            latest.pop(str(item["id"]), None)
            latest[str(item["id"])] = item
    plan = PagePlan()
    for source_id, item in latest.items():
        if "@removed" in item:
            if source_id in existing:
                plan.deletes.append(source_id)
            continue
        data = contact_from_graph(item, region)
        plan.seen.append(source_id)
        if source_id not in existing:
            plan.creates.append(data)
        elif existing[source_id] != data.fingerprint:
            plan.updates.append(data)
    return plan


def page_source_ids(items: list[dict]) -> list[str]:
    return list(dict.fromkeys(str(i["id"]) for i in items if isinstance(i, dict) and i.get("id")))
