"""Per-install keys for a local (DEBUG) run, created once in the var directory.

A local install gets its own random keys instead of a shared literal; production never
uses these (settings refuse to start without keys from the environment).
"""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def _read_or_create(path: Path, make) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        value = make()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        return value
    except FileExistsError:  # pragma: no cover - created by a concurrent process
        return path.read_text().strip()


def local_secret_key(var_dir: Path) -> str:
    return _read_or_create(var_dir / "secret_key", lambda: secrets.token_urlsafe(50))


def local_fernet_key(var_dir: Path) -> str:
    return _read_or_create(var_dir / "field_encryption_key", lambda: Fernet.generate_key().decode())
