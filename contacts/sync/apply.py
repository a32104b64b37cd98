"""Applying a page plan: bulk writes of contacts and their numbers, a constant number of queries per page."""

from __future__ import annotations

from contacts.models import Contact, ContactNumber, MailboxSyncState
from contacts.sync.plan import ContactData, PagePlan

UPDATE_FIELDS = ("display_name", "given_name", "surname", "company_name", "job_title", "department", "email",
                 "emails", "phones", "name_key", "search_text", "fingerprint", "updated_at")


def existing_fingerprints(mailbox: MailboxSyncState, folder_id: str, source_ids: list[str]) -> dict[str, str]:
    if not source_ids:
        return {}
    return dict(Contact.objects.filter(mailbox=mailbox, folder_id=folder_id, source_id__in=source_ids)
                .values_list("source_id", "fingerprint"))


def _fields(data: ContactData) -> dict:
    return {"display_name": data.display_name, "given_name": data.given_name, "surname": data.surname,
            "company_name": data.company_name, "job_title": data.job_title, "department": data.department,
            "email": data.email, "emails": list(data.emails),
            "phones": [{"kind": k, "original": o, "e164": e} for k, o, e, _d, _n in data.phones],
            "name_key": data.name_key, "search_text": data.search_text, "fingerprint": data.fingerprint}


def _numbers(contact: Contact, data: ContactData) -> list[ContactNumber]:
    return [ContactNumber(organization_id=contact.organization_id, contact_id=contact.pk, owner_id=contact.owner_id,
                          kind=kind,
                          original=original, e164=e164, digits=digits, national=national)
            for kind, original, e164, digits, national in data.phones]


def apply_page(mailbox: MailboxSyncState, folder_id: str, plan: PagePlan) -> tuple[int, int, int]:
    """Write the plan (caller holds the transaction). Returns (created, updated, deleted)."""
    deleted = 0
    if plan.deletes:
        deleted = _delete(Contact.objects.filter(mailbox=mailbox, folder_id=folder_id, source_id__in=plan.deletes))
    numbers: list[ContactNumber] = []
    if plan.creates:
        rows = [Contact(organization_id=mailbox.organization_id, mailbox=mailbox, owner_id=mailbox.owner_id,
                        folder_id=folder_id, source_id=data.source_id, **_fields(data)) for data in plan.creates]
        Contact.objects.bulk_create(rows, batch_size=500)
        if any(row.pk is None for row in rows):  # a backend that cannot return ids from a bulk insert
            ids = dict(Contact.objects.filter(mailbox=mailbox, folder_id=folder_id,
                                              source_id__in=[r.source_id for r in rows])
                       .values_list("source_id", "pk"))
            for row in rows:
                row.pk = ids[row.source_id]
        for row, data in zip(rows, plan.creates, strict=True):
            numbers += _numbers(row, data)
    if plan.updates:
        by_source = {data.source_id: data for data in plan.updates}
        rows = list(Contact.objects.filter(mailbox=mailbox, folder_id=folder_id, source_id__in=list(by_source)))
        for row in rows:
            for name, value in _fields(by_source[row.source_id]).items():
                setattr(row, name, value)
        Contact.objects.bulk_update(rows, UPDATE_FIELDS, batch_size=500)
        ContactNumber.objects.filter(contact__in=[row.pk for row in rows]).delete()
        for row in rows:
            numbers += _numbers(row, by_source[row.source_id])
    if numbers:
        ContactNumber.objects.bulk_create(numbers, batch_size=1000)
    return len(plan.creates), len(plan.updates), deleted


def delete_unseen(mailbox: MailboxSyncState, folder_id: str, seen: set[str]) -> int:
    """After a full round of a folder: remove what Outlook no longer has."""
    stored = Contact.objects.filter(mailbox=mailbox, folder_id=folder_id).values_list("pk", "source_id")
    gone = [pk for pk, source_id in stored if source_id not in seen]
    deleted = 0
    for start in range(0, len(gone), 500):
        deleted += _delete(Contact.objects.filter(pk__in=gone[start:start + 500]))
    return deleted


def delete_folder_contacts(mailbox: MailboxSyncState, folder_ids: list[str]) -> int:
    if not folder_ids:
        return 0
    return _delete(Contact.objects.filter(mailbox=mailbox, folder_id__in=folder_ids))


def _delete(contacts) -> int:
    """Delete contacts (their numbers go with them); the number of contacts deleted."""
    return contacts.delete()[1].get(Contact._meta.label, 0)
