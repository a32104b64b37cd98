"""Phone numbers, one reading everywhere (phonenumbers underneath), with a named policy for each question.

- extension_field():   a number an admin types on an extension (must be a valid number; E.164, or an error)
- entra_attribute():   a number user sync stores from Entra (E.164 when it reads as a possible number, else the text
                       as given: never lost, never guessed)
- contact_number():    a number contact sync indexes (E.164, its digits and national number; digits only when
                       it does not read as a number)
- lookup_candidates(): the E.164 forms an incoming number may stand for, the way caller-ID lookup searches

A number written without a country code is read in the organization's default region (Organization.default_region).
Stored E.164 values and lookup candidates come from the same reading, so whatever one side stores the other finds
(tests/extensions/test_phones.py checks it as a property over every region).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberFormat

MAX_STORED = 32  # the width of the extension phone columns
_NON_DIGITS = re.compile(r"\D")
# "+" and the usual separators only: such text reads the same with or without a region.
_INTERNATIONAL = re.compile(r"^\+[0-9 ()./-]{6,40}$")
# International call prefixes people type instead of "+": 00 (most of the world), 011 (NANP), 0011 (AU).
_EXIT_PREFIXES = ("0011", "011", "00")
DEFAULT_REGION = "US"


class PhoneNumberError(ValueError):
    """The text is not a valid phone number; the message says why, in words an admin can act on."""


@dataclass(frozen=True)
class Number:
    original: str
    e164: str  # "" when the text does not read as a possible number
    digits: str  # E.164 digits without "+", else the original's digits
    national: str  # national significant number (digits), "" when unknown


def digits_of(text: str) -> str:
    return _NON_DIGITS.sub("", text or "")


@lru_cache(maxsize=65536)
def _read(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The number `text` stands for, read in `region` (for text without a country code), when it is possible."""
    try:
        parsed = phonenumbers.parse(text, (region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_possible_number(parsed) else None


def _e164(parsed: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def e164_or_empty(text: str, region: str) -> str:
    """E.164 of a possible number ("" when the text does not read as one)."""
    text = (text or "").strip()
    if not text:
        return ""
    # "+..." reads the same in every region: one cache entry for all organizations.
    parsed = _read(text, DEFAULT_REGION if _INTERNATIONAL.match(text) else region)
    return _e164(parsed) if parsed is not None else ""


def extension_field(value: str, region: str) -> str:
    """An extension's phone as an admin typed it: E.164, or PhoneNumberError saying why not ("" for empty)."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, (region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException as exc:
        raise PhoneNumberError(f'"{value}" is not a phone number. Use international form, e.g. +1 425 555 0100.') \
            from exc
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneNumberError(f'"{value}" is not a valid phone number for its country. Check the digits and the '
                               "country code.")
    return _e164(parsed)


def entra_attribute(value: str | None, region: str) -> str:
    """A phone from Entra, to store on its extension: E.164 when it reads as a number, else as given (trimmed)."""
    value = (value or "").strip()
    if not value:
        return ""
    return e164_or_empty(value, region) or value[:MAX_STORED]


def contact_number(raw: str, region: str) -> Number | None:
    """A contact's phone to index: None for empty or digit-less text; unreadable text keeps its digits (still
    found by a search for them)."""
    original = (raw or "").strip()[:64]
    digits = digits_of(original)
    if not digits:
        return None
    parsed = _read(original, DEFAULT_REGION if _INTERNATIONAL.match(original) else region)
    if parsed is None:
        return Number(original, "", digits, "")
    e164 = _e164(parsed)
    return Number(original, e164, e164[1:], phonenumbers.national_significant_number(parsed))


def lookup_candidates(raw: str, region: str) -> list[str]:
    """E.164 forms an incoming number may stand for, best first: as dialled in the organization's region, with an
    international exit prefix (00/011/0011) read as "+", or bare digits read as international."""
    text = (raw or "").strip()
    digits = digits_of(text)
    if not digits:
        return []
    forms = [text]
    if not text.startswith("+"):
        for prefix in _EXIT_PREFIXES:
            if digits.startswith(prefix) and len(digits) > len(prefix) + 6:
                forms.append("+" + digits[len(prefix):])
                break
        forms.append("+" + digits)
    candidates: list[str] = []
    for form in forms:
        e164 = e164_or_empty(form, region)
        if e164 and e164 not in candidates:
            candidates.append(e164)
    return candidates
