"""Plain configuration values for the Graph client (no Django here)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

# Tenant ids are GUIDs or domain names; anything else could smuggle a path into the authority URL.
_TENANT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,254}$")
_CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _strip_slash(value: str) -> str:
    return value.rstrip("/")


@dataclass(frozen=True)
class GraphEndpoints:
    """Where Entra and Graph live (Microsoft, or the emulator) and how patient to be with them."""

    authority_host: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com"
    ca_bundle: str | None = None
    timeout: float = 30.0
    max_retries: int = 4
    max_retry_wait: float = 120.0
    # Dropped connections and 500/502/504 on idempotent requests (see retry.py): 3 tries, <= 30 s of waiting.
    transient_retries: int = 2
    transient_wait_budget: float = 30.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "authority_host", _strip_slash(self.authority_host))
        object.__setattr__(self, "graph_url", _strip_slash(self.graph_url))
        for name in ("authority_host", "graph_url"):
            parts = urlsplit(getattr(self, name))
            if parts.scheme != "https" or not parts.hostname:
                raise ValueError(f"{name} must be an https URL, got {getattr(self, name)!r}")
        if self.timeout <= 0 or min(self.max_retries, self.max_retry_wait, self.transient_retries,
                                    self.transient_wait_budget) < 0:
            raise ValueError("timeout must be > 0; retry counts and waits must be >= 0")

    @property
    def graph_base(self) -> str:
        return f"{self.graph_url}/v1.0"

    @property
    def scope(self) -> str:
        return f"{self.graph_url}/.default"

    def authority(self, tenant_id: str) -> str:
        return f"{self.authority_host}/{tenant_id}"


@dataclass(frozen=True, repr=False)
class AppCredentials:
    """An app registration's identity: a client secret, or a certificate (private key + thumbprint/cert)."""

    tenant_id: str
    client_id: str
    client_secret: str | None = None
    certificate_private_key: str | None = None
    certificate_thumbprint: str | None = None
    certificate_pem: str | None = None

    def __post_init__(self) -> None:
        if not _TENANT_RE.match(self.tenant_id or ""):
            raise ValueError(f"invalid tenant id {self.tenant_id!r}")
        if not _CLIENT_ID_RE.match(self.client_id or ""):
            raise ValueError(f"invalid client id {self.client_id!r}")
        has_secret = bool(self.client_secret)
        has_cert = bool(self.certificate_private_key)
        if has_secret == has_cert:
            raise ValueError("exactly one of client_secret or certificate_private_key is required")
        if has_cert and not (self.certificate_thumbprint or self.certificate_pem):
            raise ValueError("a certificate credential needs certificate_thumbprint or certificate_pem")

    @property
    def kind(self) -> str:
        return "secret" if self.client_secret else "certificate"

    def fingerprint(self) -> str:
        """sha256 over every field: changes whenever any credential value changes. Safe to store or log."""
        blob = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def msal_credential(self) -> str | dict:
        if self.client_secret:
            return self.client_secret
        credential = {"private_key": self.certificate_private_key}
        if self.certificate_thumbprint:
            credential["thumbprint"] = self.certificate_thumbprint
        if self.certificate_pem:
            credential["public_certificate"] = self.certificate_pem
        return credential

    def __repr__(self) -> str:
        def shown(value: str | None) -> str:
            return "None" if value is None else "'***'"

        return (
            f"AppCredentials(tenant_id={self.tenant_id!r}, client_id={self.client_id!r}, "
            f"client_secret={shown(self.client_secret)}, "
            f"certificate_private_key={shown(self.certificate_private_key)}, "
            f"certificate_thumbprint={self.certificate_thumbprint!r}, "
            f"certificate_pem={'None' if self.certificate_pem is None else '<pem>'})"
        )

    __str__ = __repr__
