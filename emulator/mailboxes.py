"""Outlook mailboxes: contact folders and contacts, with a per-folder change log for delta.

Callers hold State.lock.
"""

import base64
import uuid

from emulator.directory import DirectoryError
from emulator.util import iso, utcnow

CONTACT_FIELDS = (
    "displayName", "givenName", "surname", "middleName", "nickName", "title", "initials", "generation",
    "emailAddresses", "businessPhones", "homePhones", "mobilePhone", "companyName", "jobTitle", "department",
    "officeLocation", "profession", "businessHomePage", "assistantName", "manager", "spouseName",
    "personalNotes", "birthday", "fileAs", "imAddresses", "children", "categories", "homeAddress",
    "businessAddress", "otherAddress", "yomiGivenName", "yomiSurname", "yomiCompanyName",
)
_LIST_FIELDS = {"emailAddresses", "businessPhones", "homePhones", "imAddresses", "children", "categories"}
_ADDRESS_FIELDS = {"homeAddress", "businessAddress", "otherAddress"}


def outlook_id(prefix: str = "AAMkA") -> str:
    """Outlook item ids are long base64 strings; imitate the look."""
    raw = uuid.uuid4().bytes + uuid.uuid4().bytes
    return prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=") + "AAA="


def blank_contact() -> dict:
    contact = {}
    for name in CONTACT_FIELDS:
        contact[name] = [] if name in _LIST_FIELDS else ({} if name in _ADDRESS_FIELDS else None)
    return contact


class Mailbox:
    def __init__(self, owner_id: str, listener=None):
        self.owner_id = owner_id
        self.listener = listener  # called with {"type": "contact", "action", "owner", "id", "etag"} after changes
        self.folders: dict[str, dict] = {}
        self.contacts: dict[str, dict[str, dict]] = {}  # folder id -> contact id -> contact
        self.logs: dict[str, list[str]] = {}  # folder id -> contact ids in change order
        root = outlook_id("AQMkA")
        self.root_id = root
        self.default_folder_id = self.add_folder("Contacts", parent_id=root, well_known=True)["id"]

    def add_folder(self, name: str, parent_id: str | None = None, well_known: bool = False) -> dict:
        folder = {"id": outlook_id("AAMkAGI2"), "displayName": name,
                  "parentFolderId": parent_id or self.default_folder_id, "wellKnownName": None}
        if well_known:
            folder["wellKnownName"] = "contacts"
        self.folders[folder["id"]] = folder
        self.contacts[folder["id"]] = {}
        self.logs[folder["id"]] = []
        return folder

    def folder(self, folder_id: str) -> dict:
        if folder_id.lower() == "contacts":
            folder_id = self.default_folder_id
        folder = self.folders.get(folder_id)
        if folder is None:
            raise DirectoryError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return folder

    def add_contact(self, data: dict, folder_id: str | None = None) -> dict:
        folder = self.folder(folder_id or self.default_folder_id)
        now = iso(utcnow())
        contact = blank_contact()
        contact.update({k: v for k, v in data.items() if k in CONTACT_FIELDS})
        change_key = outlook_id("EQAAABYAAA")[:40]
        contact.update({
            "@odata.etag": f'W/"{change_key}"', "id": outlook_id("AAMkAGI2TG93AAA"),
            "createdDateTime": now, "lastModifiedDateTime": now, "changeKey": change_key,
            "parentFolderId": folder["id"],
        })
        if not contact.get("displayName"):
            contact["displayName"] = " ".join(p for p in (contact.get("givenName"), contact.get("surname")) if p)
        self.contacts[folder["id"]][contact["id"]] = contact
        self.logs[folder["id"]].append(contact["id"])
        self._notify("created", contact)
        return contact

    def find_contact(self, contact_id: str) -> tuple[str, dict]:
        for folder_id, items in self.contacts.items():
            if contact_id in items:
                return folder_id, items[contact_id]
        raise DirectoryError(404, "ErrorItemNotFound", "The specified object was not found in the store.")

    def update_contact(self, contact_id: str, changes: dict) -> dict:
        folder_id, contact = self.find_contact(contact_id)
        contact.update({k: v for k, v in changes.items() if k in CONTACT_FIELDS})
        change_key = outlook_id("EQAAABYAAA")[:40]
        contact.update({"lastModifiedDateTime": iso(utcnow()), "changeKey": change_key,
                        "@odata.etag": f'W/"{change_key}"'})
        self.logs[folder_id].append(contact_id)
        self._notify("updated", contact)
        return contact

    def delete_contact(self, contact_id: str) -> None:
        folder_id, contact = self.find_contact(contact_id)
        del self.contacts[folder_id][contact_id]
        self.logs[folder_id].append(contact_id)
        self._notify("deleted", contact)

    def _notify(self, action: str, contact: dict) -> None:
        if self.listener is not None:
            self.listener({"type": "contact", "action": action, "owner": self.owner_id, "id": contact["id"],
                           "etag": contact["@odata.etag"]})

    def changes_between(self, folder_id: str, start: int, end: int) -> list[str]:
        seen: dict[str, None] = {}
        for contact_id in self.logs[folder_id][start:end]:
            seen.setdefault(contact_id, None)
        return list(seen)

    def graph_folder(self, folder: dict) -> dict:
        return {"id": folder["id"], "displayName": folder["displayName"], "parentFolderId": folder["parentFolderId"]}


class Mailboxes:
    def __init__(self):
        self.by_owner: dict[str, Mailbox] = {}
        self.listener = None

    def for_user(self, user_id: str) -> Mailbox:
        mailbox = self.by_owner.get(user_id)
        if mailbox is None:
            mailbox = self.by_owner[user_id] = Mailbox(user_id, self.listener)
        return mailbox

    def attach(self, listener) -> None:
        """Report contact changes of every mailbox, existing and future, to `listener`."""
        self.listener = listener
        for mailbox in self.by_owner.values():
            if isinstance(mailbox, Mailbox):
                mailbox.listener = listener
