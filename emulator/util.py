"""Small helpers shared by the emulator modules: ids, timestamps, base64url."""

import base64
import datetime as dt
import json
import uuid


def new_guid() -> str:
    return str(uuid.uuid4())


def seeded_guid(rng) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(ts: dt.datetime) -> str:
    """Graph's DateTimeOffset form, e.g. 2024-01-01T00:00:00Z."""
    return ts.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def entra_timestamp(ts: dt.datetime | None = None) -> str:
    """Entra error timestamps look like 2023-06-07 08:06:56Z."""
    return (ts or utcnow()).strftime("%Y-%m-%d %H:%M:%SZ")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_token(payload: dict) -> str:
    """Opaque-looking paging/delta token (base64url JSON)."""
    return b64url(json.dumps(payload, separators=(",", ":")).encode())


def decode_token(token: str) -> dict | None:
    try:
        value = json.loads(b64url_decode(token))
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None
