"""Which extension a Microsoft account signs in as.

1. By Entra object id (`oid`, immutable): the synced extension, or one bound at an earlier sign-in.
2. Otherwise by email, only when the email's domain is one of the tenant's verified domains, to exactly one
   extension of the organization with that email and no binding yet; that extension is then bound to the `oid`,
   so later sign-ins use the immutable id. An extension bound to another `oid` never matches by email.
"""

import uuid
from dataclasses import dataclass

from extensions.models import Extension
from integrations.graph import IdTokenClaims
from organizations.models import Organization
from sso.claims import usable_email


@dataclass(frozen=True)
class Resolution:
    extension: Extension | None
    how: str  # "oid", "email" (bound now), or "" when not linked
    detail: str = ""


def extension_resolve(*, organization: Organization, claims: IdTokenClaims, verified_domains) -> Resolution:
    try:
        oid = uuid.UUID(claims.oid)
    except ValueError:
        return Resolution(None, "", "the token's oid is not a GUID")
    extensions = Extension.objects.filter(organization=organization)
    extension = extensions.filter(entra_object_id=oid).first()
    if extension is not None:
        return Resolution(extension, "oid")
    email = usable_email(claims, verified_domains)
    if not email:
        return Resolution(None, "", "no email claim in one of the tenant's verified domains")
    matches = list(extensions.filter(email__iexact=email, entra_object_id__isnull=True)[:2])
    if len(matches) != 1:
        return Resolution(None, "", f"{len(matches) or 'no'} unbound extensions with email {email}")
    return Resolution(matches[0], "email", f"matched by email {email}")


def extension_bind(*, extension: Extension, claims: IdTokenClaims) -> bool:
    """Bind the extension to the oid, only if it is still unbound (a concurrent sign-in may have won)."""
    oid = uuid.UUID(claims.oid)
    bound = Extension.objects.filter(pk=extension.pk, entra_object_id__isnull=True).update(entra_object_id=oid)
    if bound:
        extension.entra_object_id = oid
    return bool(bound)
