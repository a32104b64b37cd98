"""Secrets at rest: a model field that stores Fernet ciphertext and hands out plaintext.

Keys come from settings.FIELD_ENCRYPTION_KEYS (FIELD_ENCRYPTION_KEY, comma-separated). The first
key encrypts; every key decrypts, so keys rotate by prepending a new one and running
``manage.py rotate_encryption_keys``.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY holds a value that is not a Fernet key.") from exc


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str, ttl: int | None = None) -> str:
    """The plaintext; with `ttl`, only of ciphertext made at most that many seconds ago."""
    try:
        return fernet().decrypt(ciphertext.encode(), ttl=ttl).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEY."
        ) from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt ciphertext under the primary key."""
    return fernet().rotate(ciphertext.encode()).decode()


class EncryptedTextField(models.TextField):
    """A TextField whose database value is Fernet ciphertext. Empty stays empty; not searchable."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull",):
            raise TypeError("Encrypted fields cannot be filtered on their value.")
        return super().get_lookup(lookup_name)
