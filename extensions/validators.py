"""Validation of extension numbers and phone numbers."""

import re

import phonenumbers
from django.core.exceptions import ValidationError

EXTENSION_NUMBER_RE = re.compile(r"^[1-9][0-9]{1,9}$")
EXTENSION_NUMBER_HELP = "2 to 10 digits, not starting with 0 (0 is reserved for outside lines)."


def validate_extension_number(value: str) -> None:
    if not EXTENSION_NUMBER_RE.fullmatch(value or ""):
        raise ValidationError(
            "Enter an extension number of 2 to 10 digits that does not start with 0.",
            code="invalid_extension_number",
        )


def normalize_phone_number(value: str, region: str) -> str:
    """Return the number in E.164 form, or raise ValidationError with a reason an admin can act on."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            f'"{value}" is not a phone number. Use international form, e.g. +1 425 555 0100.',
            code="invalid_phone",
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            f'"{value}" is not a valid phone number for its country. Check the digits and the country code.',
            code="invalid_phone",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
