"""Validation of extension numbers (phone numbers: extensions/phones.py)."""

import re

from django.core.exceptions import ValidationError

EXTENSION_NUMBER_RE = re.compile(r"^[1-9][0-9]{1,9}$")
EXTENSION_NUMBER_HELP = "2 to 10 digits, not starting with 0 (0 is reserved for outside lines)."


def validate_extension_number(value: str) -> None:
    if not EXTENSION_NUMBER_RE.fullmatch(value or ""):
        raise ValidationError(
            "Enter an extension number of 2 to 10 digits that does not start with 0.",
            code="invalid_extension_number",
        )
