"""Opaque tokens and codes: random, shown once, stored as SHA-256 (a stolen database yields no usable token)."""

import base64
import hashlib
import hmac
import re
import secrets

# RFC 7636: code_verifier 43..128 chars of [A-Za-z0-9-._~]; an S256 challenge is 43 base64url chars.
VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
S256_CHALLENGE_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def pkce_matches(verifier: str, challenge: str) -> bool:
    if not VERIFIER_RE.match(verifier or ""):
        return False
    return hmac.compare_digest(s256(verifier), challenge)
