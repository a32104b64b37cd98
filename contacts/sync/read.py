"""Reading Outlook contacts through Graph: folder discovery and per-folder delta pages, in $batch requests.

Knows Graph's JSON and URLs, nothing of Django models. Every request goes through the organization's
GraphClient (integrations.graph), which retries throttled sub-requests after their Retry-After.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

CONTACT_SELECT = ("displayName,givenName,surname,companyName,jobTitle,department,emailAddresses,"
                  "businessPhones,homePhones,mobilePhone")
PAGE_SIZE = 200
BATCH_SIZE = 20
PER_MAILBOX = 4  # Outlook allows 4 concurrent requests per mailbox; $batch sub-requests run concurrently
DEFAULT_FOLDER = "contacts"  # well-known name, used only when the default folder's id cannot be learned
DELTA_EXPIRED_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})
NO_MAILBOX_CODES = frozenset({"mailboxnotenabledforrestapi", "mailboxnotfound", "errorinvaliduser",
                              "resourcenotfound", "request_resourcenotfound", "errornonexistentmailbox"})


@dataclass
class SubResult:
    """One $batch sub-response, classified."""

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
        return list(self.body.get("value") or [])

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


def child_folders_url(mailbox_id: str, folder_id: str) -> str:
    return (f"{_user(mailbox_id)}/contactFolders/{quote(folder_id, safe='')}/childFolders"
            "?$select=id,displayName,parentFolderId&$top=100")


def default_folder_probe_url(mailbox_id: str) -> str:
    return f"{_user(mailbox_id)}/contacts?$top=1&$select=parentFolderId"


def relative(client, url: str) -> str:
    """A $batch sub-request URL is relative to the version root: strip the Graph base of a nextLink/deltaLink."""
    base = client.endpoints.graph_base
    if url.startswith(base + "/"):
        return url[len(base):]
    return url


def run_batch(client, requests_: list[tuple[str, str]], *, page_size: int | None = None) -> list[SubResult]:
    """GET each (mailbox_id, url) in $batch chunks of 20 with at most 4 sub-requests per mailbox per chunk.

    Results come back in request order. 429 sub-requests are re-sent by the client after Retry-After."""
    results: list[SubResult | None] = [None] * len(requests_)
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
            results[index] = SubResult(int(answer.get("status") or 0), body if isinstance(body, dict) else {},
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
