"""Phone numbers: E.164 with `phonenumbers` (the organization's region for national formats), digits for search."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

_NON_DIGITS = re.compile(r"\D")
# International call prefixes people type instead of "+": 00 (most of the world), 011 (NANP), 0011 (AU).
_EXIT_PREFIXES = ("0011", "011", "00")


@dataclass(frozen=True)
class Number:
    original: str
    e164: str  # "" when the number cannot be read as a valid phone number
    digits: str  # E.164 digits without "+", else the original's digits
    national: str  # national significant number (digits), "" when unknown


def digits_of(text: str) -> str:
    return _NON_DIGITS.sub("", text or "")


def normalize(raw: str, region: str) -> Number | None:
    """None for an empty or digit-less value; an unparseable number keeps its digits (still searchable)."""
    original = (raw or "").strip()[:64]
    digits = digits_of(original)
    if not digits:
        return None
    parsed = _parse(original, region)
    if parsed is None:
        return Number(original, "", digits, "")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Number(original, e164, e164[1:], phonenumbers.national_significant_number(parsed))


def _parse(text: str, region: str):
    try:
        parsed = phonenumbers.parse(text, (region or "US").upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return parsed


def lookup_candidates(raw: str, region: str) -> list[str]:
    """E.164 forms an incoming number may stand for, best first: as dialled in the organization's region,
    with an international exit prefix (00/011/0011) read as "+", or bare digits read as international."""
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
    seen: list[str] = []
    for form in forms:
        parsed = _parse(form, region)
        if parsed is None:
            continue
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if e164 not in seen:
            seen.append(e164)
    return seen
