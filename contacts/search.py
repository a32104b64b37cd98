"""The directory search's index-backed conditions, one implementation per database behind the same functions.

PostgreSQL (contacts/migrations/0002): prefix LIKE on "C"-collated columns (btree range scans) and pg_trgm for
substrings. SQLite, the embedded default (contacts/migrations/0003): LIKE cannot use a btree there, so prefixes
become half-open ranges on the same columns, and substrings of 3+ characters go through the FTS5 trigram table.
Both give the same rows: name_key and search_text are stored casefolded and the needles arrive casefolded.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate, Lower

_AFTER_EVERY_CHARACTER = "\U0010ffff"  # the highest code point: needle <= s < needle + it  <=>  s starts with needle
_AFTER_EVERY_DIGIT = ":"  # the character after "9"
TRIGRAM = 3  # shortest substring the trigram table can answer
FTS_MATCH = "SELECT rowid FROM contacts_contact_fts WHERE contacts_contact_fts MATCH %s"


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def name_order(field: str):
    """An ordering of `field` by lowercased code points on every database (collation "C" on PostgreSQL, whatever the
    database's own collation; BINARY on SQLite): the order Python's string comparison gives the values it returns."""
    return Collate(Lower(field), "BINARY" if _sqlite() else "C")


def name_prefix(needle: str) -> Q:
    """Contacts whose casefolded display name starts with `needle` (casefolded)."""
    if _sqlite():
        return Q(name_key__gte=needle, name_key__lt=needle + _AFTER_EVERY_CHARACTER)
    return Q(name_key__startswith=needle)


def text_match(needle: str) -> Q:
    """Contacts whose casefolded name, company, title, department or e-mail contains `needle` (casefolded)."""
    if _sqlite() and len(needle) >= TRIGRAM:
        phrase = '"' + needle.replace('"', '""') + '"'  # an FTS5 string: matched as a substring by the trigrams
        return Q(id__in=RawSQL(FTS_MATCH, [phrase]))  # noqa: S611 - constant SQL, the needle is a parameter
    return Q(search_text__contains=needle)


def number_exact(candidates: list[str], digits: str) -> Q:
    """ContactNumber rows for a number that is one of the E.164 `candidates` or has exactly `digits`.

    SQLite scans for an OR over two columns, so it is also given the digits those rows must have (a stored
    number's digits are its E.164 without the "+"): an index lookup, the same rows."""
    exact = (Q(e164__in=candidates) | Q(digits=digits)) if candidates else Q(digits=digits)
    if _sqlite() and candidates:
        return Q(digits__in=[digits, *(candidate[1:] for candidate in candidates)]) & exact
    return exact


def digits_prefix(field: str, digits: str) -> Q:
    """ContactNumber rows whose `field` ("digits" or "national", digits only) starts with `digits`."""
    if _sqlite():
        return Q(**{f"{field}__gte": digits, f"{field}__lt": digits + _AFTER_EVERY_DIGIT})
    return Q(**{f"{field}__startswith": digits})
