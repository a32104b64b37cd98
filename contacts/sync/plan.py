"""Planning: a delta page of Outlook contacts + the stored fingerprints -> creates, updates and deletes.

Pure: no database, no HTTP. Each contact is reduced to the PBX's fields (phones normalized to E.164 in the
organization's region, originals kept) and a fingerprint, so an unchanged contact costs no write.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from extensions.phones import contact_number
from integrations.graph.contacts import GraphContact, RemovedContact


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


def contact_data(contact: GraphContact, region: str) -> ContactData:
    phones = []
    for kind, raw in contact.phones:
        number = contact_number(raw, region)
        if number is not None:
            phones.append((kind, number.original, number.e164, number.digits, number.national))
    emails = contact.emails
    name = (contact.display_name or " ".join(p for p in (contact.given_name, contact.surname) if p)
            or contact.company_name or (emails[0] if emails else "") or (phones[0][1] if phones else "") or "(no name)")
    values = (name, contact.given_name, contact.surname, contact.company_name, contact.job_title, contact.department,
              emails, tuple(phones))
    fingerprint = hashlib.md5(json.dumps(values, separators=(",", ":")).encode(), usedforsecurity=False).hexdigest()
    return ContactData(contact.id, *values, fingerprint=fingerprint)


def plan_page(changes: list[GraphContact | RemovedContact], existing: dict[str, str], region: str) -> PagePlan:
    """`existing` maps the source ids of this page already stored in the folder to their fingerprints.

    Delta can repeat an item within a round: the last occurrence wins, and nothing is planned twice."""
    latest: dict[str, GraphContact | RemovedContact] = {}
    for change in changes:
        latest.pop(change.id, None)
        latest[change.id] = change
    plan = PagePlan()
    for source_id, change in latest.items():
        if isinstance(change, RemovedContact):
            if source_id in existing:
                plan.deletes.append(source_id)
            continue
        data = contact_data(change, region)
        plan.seen.append(source_id)
        if source_id not in existing:
            plan.creates.append(data)
        elif existing[source_id] != data.fingerprint:
            plan.updates.append(data)
    return plan


def page_source_ids(changes: list[GraphContact | RemovedContact]) -> list[str]:
    return list(dict.fromkeys(change.id for change in changes))
