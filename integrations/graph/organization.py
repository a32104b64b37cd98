"""The tenant itself (/organization): its name and verified domains (SSO matches e-mail only in these)."""

from __future__ import annotations

from dataclasses import dataclass

from .client import GraphClient


@dataclass(frozen=True)
class Tenant:
    id: str
    display_name: str
    verified_domains: list[str]  # lower case, sorted, unique


def verified_domains_of(body: dict) -> list[str]:
    """The verified domain names in a Graph /organization answer (a list or one entity)."""
    tenants = body.get("value") if isinstance(body.get("value"), list) else [body]
    names = set()
    for tenant in tenants:
        for domain in (tenant.get("verifiedDomains") or []) if isinstance(tenant, dict) else []:
            name = domain.get("name") if isinstance(domain, dict) else None
            if isinstance(name, str) and name.strip():
                names.add(name.strip().lower())
    return sorted(names)


def read_tenant(client: GraphClient) -> Tenant:
    body = client.get("/organization", params={"$select": "id,displayName,verifiedDomains"})
    tenants = body.get("value") or []
    first = tenants[0] if tenants and isinstance(tenants[0], dict) else {}
    return Tenant(str(first.get("id") or ""), str(first.get("displayName") or ""), verified_domains_of(body))
