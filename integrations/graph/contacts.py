"""Outlook contacts (personal and shared mailboxes): folder discovery and per-folder delta pages, in $batch.

The URLs built here are opaque to callers: they pass them back to run_batch() and store the next/delta links they
get. Answers come back typed (MailboxAnswer, GraphContact, ContactFolder). Every request goes through the
organization's GraphClient, which retries throttled sub-requests after their Retry-After.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from .client import GraphClient

READ_PERMISSIONS = ("Contacts.Read", "Contacts.ReadWrite")
CONTACT_SELECT = ("displayName,givenName,surname,companyName,jobTitle,department,emailAddresses,"
                  "businessPhones,homePhones,mobilePhone")
PAGE_SIZE = 200
BATCH_SIZE = 20
PER_MAILBOX = 4  # Outlook allows 4 concurrent requests per mailbox; $batch sub-requests run concurrently
DEFAULT_FOLDER = "contacts"  # well-known name, used only when the default folder's id cannot be learned
DELTA_EXPIRED_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})
NO_MAILBOX_CODES = frozenset({"mailboxnotenabledforrestapi", "mailboxnotfound", "errorinvaliduser",
                              "resourcenotfound", "request_resourcenotfound", "errornonexistentmailbox"})


PHONE_SOURCES = (("businessPhones", "business"), ("mobilePhone", "mobile"), ("homePhones", "home"))


def _text(value, limit: int) -> str:
    return " ".join(str(value).split())[:limit] if value else ""


@dataclass(frozen=True)
class GraphContact:
    """An Outlook contact, whitespace folded and bounded; phones as (kind, number as typed)."""

    id: str
    display_name: str
    given_name: str
    surname: str
    company_name: str
    job_title: str
    department: str
    emails: tuple[str, ...]  # lower case, unique, in Outlook's order
    phones: tuple[tuple[str, str], ...]  # ("business" | "mobile" | "home", raw)

    @classmethod
    def from_graph(cls, item: dict) -> GraphContact:
        emails: list[str] = []
        for entry in item.get("emailAddresses") or []:
            address = _text((entry or {}).get("address") if isinstance(entry, dict) else None, 254).lower()
            if address and address not in emails:
                emails.append(address)
        phones = []
        for key, kind in PHONE_SOURCES:
            values = item.get(key)
            for raw in values if isinstance(values, list) else [values]:
                if raw:
                    phones.append((kind, str(raw)))
        return cls(str(item["id"]), _text(item.get("displayName"), 256), _text(item.get("givenName"), 128),
                   _text(item.get("surname"), 128), _text(item.get("companyName"), 256),
                   _text(item.get("jobTitle"), 256), _text(item.get("department"), 256), tuple(emails), tuple(phones))


@dataclass(frozen=True)
class RemovedContact:
    id: str


@dataclass(frozen=True)
class ContactFolder:
    id: str
    name: str
    parent_id: str | None


@dataclass
class MailboxAnswer:
    """One $batch sub-response about a mailbox, classified."""

    status: int
    body: dict = field(default_factory=dict)
    retry_after: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def code(self) -> str:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return str((error or {}).get("code") or "") if isinstance(error, dict) else ""

    @property
    def message(self) -> str:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        text = (error or {}).get("message") if isinstance(error, dict) else None
        return f"HTTP {self.status} {self.code}: {text or 'no message'}".strip()

    @property
    def delta_expired(self) -> bool:
        return self.status == 410 or (self.status == 400 and self.code.lower() in DELTA_EXPIRED_CODES)

    @property
    def denied(self) -> bool:
        return self.status in (401, 403)

    @property
    def folder_gone(self) -> bool:
        return self.status == 404 and self.code.lower() == "erroritemnotfound"

    @property
    def no_mailbox(self) -> bool:
        return self.status == 404 and not self.folder_gone

    @property
    def items(self) -> list[dict]:
        return [item for item in self.body.get("value") or [] if isinstance(item, dict)]

    def contact_changes(self) -> list[GraphContact | RemovedContact]:
        """The page's contacts and removals, in Graph's order (a delta round may repeat an item: last wins)."""
        return [RemovedContact(str(item["id"])) if "@removed" in item else GraphContact.from_graph(item)
                for item in self.items if item.get("id")]

    def folders(self) -> list[ContactFolder]:
        return [ContactFolder(str(item["id"]), str(item.get("displayName") or ""),
                              str(item["parentFolderId"]) if item.get("parentFolderId") else None)
                for item in self.items if item.get("id")]

    def parent_folder_id(self) -> str | None:
        """The folder of the first item (a folder or a contact): how the default folder's id is learned."""
        return next((str(item["parentFolderId"]) for item in self.items if item.get("parentFolderId")), None)

    @property
    def next_link(self) -> str | None:
        return self.body.get("@odata.nextLink")

    @property
    def delta_link(self) -> str | None:
        return self.body.get("@odata.deltaLink")


def _user(mailbox_id: str) -> str:
    return "/users/" + quote(mailbox_id, safe="@.")


def folder_delta_url(mailbox_id: str, folder_id: str) -> str:
    return f"{_user(mailbox_id)}/contactFolders/{quote(folder_id, safe='')}/contacts/delta?$select={CONTACT_SELECT}"


def folders_url(mailbox_id: str) -> str:
    return f"{_user(mailbox_id)}/contactFolders?$select=id,displayName,parentFolderId&$top=100"


def folder_url(mailbox_id: str, folder_id: str) -> str:
    """One contact folder (well-known name "contacts" for the default one): 404 ErrorItemNotFound when it is gone."""
    return f"{_user(mailbox_id)}/contactFolders/{quote(folder_id, safe='')}?$select=id,displayName"


def child_folders_url(mailbox_id: str, folder_id: str) -> str:
    return (f"{_user(mailbox_id)}/contactFolders/{quote(folder_id, safe='')}/childFolders"
            "?$select=id,displayName,parentFolderId&$top=100")


def default_folder_probe_url(mailbox_id: str) -> str:
    return f"{_user(mailbox_id)}/contacts?$top=1&$select=parentFolderId"


def relative(client: GraphClient, url: str) -> str:
    """A $batch sub-request URL is relative to the version root: strip the Graph base of a nextLink/deltaLink."""
    base = client.endpoints.graph_base
    if url.startswith(base + "/"):
        return url[len(base):]
    return url


def run_batch(client: GraphClient, requests_: list[tuple[str, str]], *,
              page_size: int | None = None) -> list[MailboxAnswer]:
    """GET each (mailbox_id, url) in $batch chunks of 20 with at most 4 sub-requests per mailbox per chunk.

    Results come back in request order. 429 sub-requests are re-sent by the client after Retry-After."""
    results: list[MailboxAnswer | None] = [None] * len(requests_)
    headers = {"Prefer": f"odata.maxpagesize={page_size}"} if page_size else None
    for chunk in chunk_per_mailbox(list(enumerate(requests_))):
        subs = []
        for index, (_mailbox, url) in chunk:
            sub = {"id": str(index), "method": "GET", "url": relative(client, url)}
            if headers:
                sub["headers"] = headers
            subs.append(sub)
        for (index, _), answer in zip(chunk, client.batch(subs), strict=True):
            body = answer.get("body")
            headers_ = {k.lower(): v for k, v in (answer.get("headers") or {}).items()}
            results[index] = MailboxAnswer(int(answer.get("status") or 0), body if isinstance(body, dict) else {},
                                       headers_.get("retry-after"))
    return results  # type: ignore[return-value]


def chunk_per_mailbox(items: list[tuple[int, tuple[str, str]]]) -> list[list]:
    """Split into chunks of <= 20 with <= 4 requests per mailbox in each chunk, keeping order within a mailbox."""
    chunks: list[list] = []
    remaining = items
    while remaining:
        chunk, per_mailbox, rest = [], {}, []
        for entry in remaining:
            mailbox = entry[1][0]
            if len(chunk) < BATCH_SIZE and per_mailbox.get(mailbox, 0) < PER_MAILBOX:
                chunk.append(entry)
                per_mailbox[mailbox] = per_mailbox.get(mailbox, 0) + 1
            else:
                rest.append(entry)
        chunks.append(chunk)
        remaining = rest
    return chunks


def more_folders(client: GraphClient, next_link: str) -> list[ContactFolder]:
    """The rest of a folder list longer than one page (over 100 folders at one level: rare)."""
    return [ContactFolder(str(item["id"]), str(item.get("displayName") or ""),
                          str(item["parentFolderId"]) if item.get("parentFolderId") else None)
            for item in client.iter_items(next_link) if isinstance(item, dict) and item.get("id")]
