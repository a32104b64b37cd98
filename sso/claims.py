"""Checks on the ID token's claims that MSAL does not make (pure functions, no database).

- the token must come from the organization's tenant: `tid` equals the pinned tenant GUID, and `iss` is that
  tenant's v2.0 issuer on the configured authority host;
- an email claim is usable for a first binding only if its domain is one of the tenant's verified domains
  (`email` and `preferred_username` are mutable; an unverified domain is the "nOAuth" takeover path).
"""

from integrations.graph import IdTokenClaims


def expected_issuer(authority_host: str, tenant_id: str) -> str:
    return f"{authority_host.rstrip('/')}/{tenant_id}/v2.0"


def tenant_problem(claims: IdTokenClaims, *, expected_tenant_id: str, authority_host: str) -> str:
    """'' when the token belongs to the expected tenant, else a short reason for the log."""
    if not expected_tenant_id:
        return "the organization's tenant id is not known yet (run Test Connection)"
    if not claims.tid or claims.tid != expected_tenant_id.lower():
        return f"token tenant {claims.tid or '(none)'} is not the organization's tenant {expected_tenant_id}"
    if claims.iss != expected_issuer(authority_host, claims.tid):
        return f"token issuer {claims.iss or '(none)'} is not {expected_issuer(authority_host, claims.tid)}"
    if not claims.oid:
        return "the token has no object id (oid)"
    return ""


def email_domain(email: str) -> str:
    local, at, domain = (email or "").strip().rpartition("@")
    return domain.lower() if at and local and domain else ""


def usable_email(claims: IdTokenClaims, verified_domains) -> str:
    """The first of `email`, `preferred_username` whose domain the tenant verified; '' if none."""
    verified = {d.lower() for d in verified_domains or []}
    for candidate in (claims.email, claims.preferred_username):
        if candidate and email_domain(candidate) in verified:
            return candidate.strip().lower()
    return ""


def shown_account(claims: IdTokenClaims) -> str:
    return claims.email or claims.preferred_username or claims.oid
