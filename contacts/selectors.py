"""Reads: the UC Client directory search, caller-ID lookup and the admin's per-mailbox status.

Directory search ranks in tiers: exact number, number prefix, name prefix, then any other text match (company,
e-mail, job title, a word inside the name). Each tier reads each source (extensions, company contacts, the
user's own contacts) with an index-ordered LIMIT, so a page costs a handful of index range scans whatever the
directory's size; a colleague's personal contacts are never read.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from django.db.models import F, Q

from contacts.models import Contact, ContactNumber, MailboxSyncState
from contacts.search import digits_prefix, name_order, name_prefix, number_exact, text_match
from extensions.models import Extension
from extensions.phones import digits_of, lookup_candidates
from presence.selectors import presence_summaries

PAGE_SIZE = 25
MAX_QUERY = 100
MIN_NUMBER_PREFIX = 3  # shorter digit strings match extension numbers only
_NUMBERISH = re.compile(r"^\+?[\d\s().\-/]+$")
CONTACT_COLUMNS = ("id", "owner_id", "display_name", "company_name", "job_title", "department", "email", "phones",
                   "name_key")
EXTENSION_COLUMNS = ("id", "number", "display_name", "job_title", "department", "email", "business_phone",
                     "mobile_phone")


@dataclass
class DirectoryEntry:
    source: str  # "extension", "company" or "personal"
    id: int
    name: str
    company: str = ""
    title: str = ""
    department: str = ""
    email: str = ""
    extension: str = ""
    numbers: list[dict] = field(default_factory=list)  # [{"kind", "number", "e164"}]
    match: str = ""  # "number", "number_prefix", "name", "text"
    presence: dict | None = None  # extensions: Teams presence (presence.selectors.presence_summaries)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class DirectoryPage:
    query: str
    page: int
    page_size: int
    entries: list[DirectoryEntry]
    has_next: bool

    def as_dict(self) -> dict:
        return {"query": self.query, "page": self.page, "page_size": self.page_size, "has_next": self.has_next,
                "results": [entry.as_dict() for entry in self.entries]}


def _contact_entry(row: dict, match: str) -> DirectoryEntry:
    return DirectoryEntry(
        source="personal" if row["owner_id"] else "company", id=row["id"], name=row["display_name"],
        company=row["company_name"], title=row["job_title"], department=row["department"], email=row["email"],
        numbers=[{"kind": p.get("kind", ""), "number": p.get("original", ""), "e164": p.get("e164", "")}
                 for p in row["phones"] or []], match=match)


def _extension_entry(row: dict, match: str) -> DirectoryEntry:
    numbers = [{"kind": "extension", "number": row["number"], "e164": ""}]
    numbers += [{"kind": kind, "number": row[key], "e164": ""}
                for key, kind in (("business_phone", "business"), ("mobile_phone", "mobile")) if row[key]]
    return DirectoryEntry(source="extension", id=row["id"], name=row["display_name"], title=row["job_title"],
                          department=row["department"], email=row["email"], extension=row["number"],
                          numbers=numbers, match=match)


class _Collector:
    def __init__(self, need: int):
        self.need = need
        self.entries: list[DirectoryEntry] = []
        self.seen: set[tuple[str, int]] = set()

    @property
    def full(self) -> bool:
        return len(self.entries) >= self.need

    @property
    def room(self) -> int:
        return self.need  # enough for a full page even if every row read was already found by a better tier

    def add(self, batch: list[tuple[str, DirectoryEntry]]) -> None:
        """A tier's rows as (the key its source was ordered by in the database, entry). Each source read its first
        `room` rows in that order, so merging by the same key gives the same first rows whatever `need` is: pages
        neither repeat nor skip anyone at their boundaries."""
        for _key, entry in sorted(batch, key=lambda item: (item[0], item[1].source, item[1].id)):
            key = ("extension" if entry.source == "extension" else "contact", entry.id)
            if key not in self.seen:
                self.seen.add(key)
                self.entries.append(entry)


def directory_search(*, organization, extension: Extension | None, query: str, page: int = 1,
                     page_size: int = PAGE_SIZE) -> DirectoryPage:
    """Search extensions, company contacts and `extension`'s own contacts. `page` starts at 1."""
    query = " ".join((query or "").split())[:MAX_QUERY]
    page = max(1, page)
    offset = (page - 1) * page_size
    found = _Collector(offset + page_size + 1)
    contacts = Contact.objects.filter(organization=organization)
    scopes = [contacts.filter(owner__isnull=True)]
    if extension is not None:
        scopes.append(contacts.filter(owner=extension))
    extensions = Extension.objects.filter(organization=organization, status=Extension.Status.ACTIVE)
    digits = digits_of(query)
    if query and _NUMBERISH.match(query) and digits:
        _number_tiers(found, organization, extension, scopes, extensions, query, digits)
    elif query:
        _text_tiers(found, scopes, extensions, query.casefold())
    else:
        _tier(found, "name", scopes, extensions, Q(), Q(), order="name_key")
    entries = found.entries[offset:offset + page_size]
    return DirectoryPage(query, page, page_size, entries, has_next=len(found.entries) > offset + page_size)


def directory_presence_attach(page: DirectoryPage) -> DirectoryPage:
    """Each extension entry's Teams presence: one query for the whole page (none without extensions)."""
    ids = [entry.id for entry in page.entries if entry.source == "extension"]
    found = presence_summaries(ids) if ids else {}
    for entry in page.entries:
        if entry.source == "extension":
            entry.presence = found.get(entry.id)
    return page


def _tier(found: _Collector, match: str, scopes, extensions, contact_q: Q, extension_q: Q, *,
          order: str = "name_key", extension_order: str = "") -> None:
    """`order`: the contacts' column (name_key: casefolded, ordered by code point); extensions by `extension_order`
    (a column), else by their lowercased name in code point order, so both sources merge by one comparable key."""
    if found.full:
        return
    batch = []
    for scope in scopes:
        rows = scope.filter(contact_q).order_by(order, "id").values(*CONTACT_COLUMNS)[:found.room]
        batch += [(row[order], _contact_entry(row, match)) for row in rows]
    if extension_q is not None:
        ordered = extensions.filter(extension_q).annotate(
            sort_key=F(extension_order) if extension_order else name_order("display_name"))
        rows = ordered.order_by("sort_key", "id").values("sort_key", *EXTENSION_COLUMNS)[:found.room]
        batch += [(row["sort_key"], _extension_entry(row, match)) for row in rows]
    found.add(batch)


def _text_tiers(found: _Collector, scopes, extensions, needle: str) -> None:
    _tier(found, "name", scopes, extensions, name_prefix(needle),
          Q(display_name__istartswith=needle) | Q(last_name__istartswith=needle))
    if len(needle) < 2:
        return
    company, *own = scopes  # a user's own contacts are a few hundred rows (owner index): no text index needed
    scopes = [company.filter(text_match(needle)), *(scope.filter(search_text__contains=needle) for scope in own)]
    _tier(found, "text", scopes, extensions, Q(),
          Q(display_name__icontains=needle) | Q(email__icontains=needle) | Q(department__icontains=needle)
          | Q(job_title__icontains=needle))


def _number_tiers(found: _Collector, organization, extension, scopes, extensions, query: str, digits: str) -> None:
    candidates = lookup_candidates(query, organization.default_region) if len(digits) >= 6 else []
    numbers = ContactNumber.objects.filter(organization=organization)
    number_scopes = [numbers.filter(owner__isnull=True)] + ([numbers.filter(owner=extension)] if extension else [])
    exact = number_exact(candidates, digits)
    _number_tier(found, "number", [scope.filter(exact) for scope in number_scopes], extensions.filter(number=digits))
    if len(digits) < MIN_NUMBER_PREFIX:
        _tier(found, "number_prefix", [], extensions, Q(), Q(number__startswith=digits), extension_order="number")
        return
    national = digits.lstrip("0") or digits
    prefixed = []
    for scope in number_scopes:  # two range scans (international digits, national digits) per scope
        prefixed += [scope.filter(digits_prefix("digits", digits)), scope.filter(digits_prefix("national", national))]
    _number_tier(found, "number_prefix", prefixed, extensions.filter(number__startswith=digits))


def _number_tier(found: _Collector, match: str, number_scopes, extensions) -> None:
    if found.full:
        return
    rows = []
    for scope in number_scopes:
        rows += list(scope.order_by("digits", "id").values_list("digits", "contact_id")[:found.room])
    first_digits: dict[int, str] = {}
    for digits, contact_id in sorted(rows):  # a contact ranks by its first matching number
        first_digits.setdefault(contact_id, digits)
    contact_ids = list(first_digits)[:found.room]
    by_id = {row["id"]: row for row in Contact.objects.filter(pk__in=contact_ids).values(*CONTACT_COLUMNS)}
    batch = [(first_digits[pk], _contact_entry(by_id[pk], match)) for pk in contact_ids if pk in by_id]
    batch += [(row["number"], _extension_entry(row, match))
              for row in extensions.order_by("number", "id").values(*EXTENSION_COLUMNS)[:found.room]]
    found.add(batch)


# --- caller ID ---------------------------------------------------------------------------------------------
@dataclass
class CallerMatch:
    number: str
    e164: str
    found: bool
    name: str = ""
    company: str = ""
    source: str = ""  # "extension", "personal", "company"
    extension: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def caller_id_lookup(*, organization, number: str, called: Extension | None = None) -> CallerMatch:
    """The best name for an incoming number in any common format.

    Order: the called user's own contact, an extension by its internal number, a colleague by their mobile phone,
    then by their business phone, then a company contact. A mobile or business number shared by several active
    extensions (typically the company's main line set as everyone's business phone) names nobody and falls
    through to the company contacts. Personal contacts of anyone else are never used: they would show one
    user's private address book on a colleague's phone."""
    raw = (number or "").strip()[:64]
    digits = digits_of(raw)
    candidates = lookup_candidates(raw, organization.default_region)
    match = CallerMatch(number=raw, e164=candidates[0] if candidates else "", found=False)
    if not digits:
        return match
    if called is not None:
        own = _contact_by_number(organization, candidates, digits, Q(owner=called))
        if own is not None:
            return _found(match, own, "personal")
    internal = (Extension.objects.filter(organization=organization, number=digits, status=Extension.Status.ACTIVE)
                .values("number", "display_name").first())
    if internal is not None:
        match.found, match.name, match.source, match.extension = True, internal["display_name"], "extension", \
            internal["number"]
        return match
    for field_name in ("mobile_phone", "business_phone"):
        colleague = _extension_by_phone(organization, field_name, candidates)
        if colleague is not None:
            match.found, match.name, match.source, match.extension = True, colleague["display_name"], \
                "extension", colleague["number"]
            return match
    company = _contact_by_number(organization, candidates, digits, Q(owner__isnull=True))
    if company is not None:
        return _found(match, company, "company")
    return match


def _extension_by_phone(organization, field_name: str, candidates: list[str]) -> dict | None:
    """The one active extension whose `field_name` (E.164, as user sync and the extension form store it) is one
    of `candidates`; None when none or several match. An index range scan on (organization, field_name)."""
    if not candidates:
        return None
    rows = list(Extension.objects.filter(organization=organization, status=Extension.Status.ACTIVE,
                                         **{f"{field_name}__in": candidates})
                .order_by("id").values("number", "display_name")[:2])
    return rows[0] if len(rows) == 1 else None


def _contact_by_number(organization, candidates: list[str], digits: str, owner_q: Q) -> dict | None:
    exact = Q(e164__in=candidates) if candidates else Q(digits=digits)
    number = (ContactNumber.objects.filter(organization=organization).filter(owner_q).filter(exact)
              .order_by("contact__name_key", "contact_id").values("contact__display_name",
                                                                  "contact__company_name").first())
    if number is None:
        return None
    return {"display_name": number["contact__display_name"], "company_name": number["contact__company_name"]}


def _found(match: CallerMatch, row: dict, source: str) -> CallerMatch:
    match.found, match.name, match.company, match.source = True, row["display_name"], row["company_name"], source
    return match


# --- admin ---------------------------------------------------------------------------------------------------
def mailbox_status_list(*, organization, status: str = ""):
    """The organization's mailboxes in a stable order (the page shows them a page at a time)."""
    rows = MailboxSyncState.objects.filter(organization=organization).select_related("owner")
    if status == "problems":
        rows = rows.exclude(status__in=[MailboxSyncState.Status.OK, MailboxSyncState.Status.PENDING])
    return rows.order_by("kind", "display_name", "id")


def switched_off_kinds(*, organization, settings, connection) -> list[str]:
    """Mailbox kinds whose synchronization is switched off on Collaboration: their mailboxes are not read, so the
    status page must not call them "In sync"."""
    contacts_on = bool(connection and connection.feature_contacts)
    off = []
    if not (contacts_on and settings.personal_enabled):
        off.append(MailboxSyncState.Kind.PERSONAL)
    if not (contacts_on and settings.shared_enabled):
        off.append(MailboxSyncState.Kind.SHARED)
    return off


def mailbox_status_summary(*, organization) -> dict:
    from django.db.models import Count, Sum

    totals = MailboxSyncState.objects.filter(organization=organization).aggregate(
        mailboxes=Count("id"), contacts=Sum("contact_count"))
    by_status = dict(MailboxSyncState.objects.filter(organization=organization).values_list("status")
                     .annotate(n=Count("id")))
    return {"mailboxes": totals["mailboxes"] or 0, "contacts": totals["contacts"] or 0, "by_status": by_status}
