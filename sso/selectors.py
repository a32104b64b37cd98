"""Reads for SSO: which organization an email belongs to, its SSO settings, its sign-in log."""

from integrations.models import EntraConnection
from organizations.models import Organization
from sso.claims import email_domain
from sso.links import organization_for_link
from sso.models import AdminMicrosoftLink, SignInEvent, SsoSettings


def sso_settings_for(organization: Organization) -> SsoSettings:
    """The organization's SSO settings, or unsaved defaults (SSO off)."""
    return SsoSettings.objects.filter(organization=organization).first() or SsoSettings(organization=organization)


def sso_allowed(organization: Organization) -> bool:
    return SsoSettings.objects.filter(organization=organization, allow_sso_login=True).exists()


def connection_for_email(email: str) -> EntraConnection | None:
    """The Entra connection whose tenant verified the email's domain (read by Test Connection and user sync)."""
    domain = email_domain(email)
    if not domain or '"' in domain:
        return None
    # The JSON text holds each domain in quotes: a cheap pre-filter in the database, then an exact check.
    candidates = (EntraConnection.objects.select_related("organization")
                  .filter(verified_domains__icontains=f'"{domain}"').order_by("pk"))
    for connection in candidates:
        if domain in {d.lower() for d in connection.verified_domains or []}:
            return connection
    return None


def connection_for_sign_in(*, email: str = "", link: str = "") -> EntraConnection | None:
    """Where a UC Client "Sign in with Microsoft" goes: the tenant that verified the email's domain; else the
    organization named in the sign-in link (?org=<signed slug>, copied from the SSO tab); else the portal's only
    organization. None: the email is needed to find it."""
    if email:
        found = connection_for_email(email)
        if found is not None:
            return found
    organization = organization_for_link(link)
    if organization is None:
        first_two = list(Organization.objects.order_by("pk")[:2])
        organization = first_two[0] if len(first_two) == 1 else None
    if organization is None:
        return None
    return EntraConnection.objects.select_related("organization").filter(organization=organization).first()


def admin_microsoft_sign_in_offered() -> bool:
    """The admin sign-in page offers Sign in with Microsoft once any administrator has linked a Microsoft account."""
    return AdminMicrosoftLink.objects.exists()


def sign_in_events(organization: Organization, limit: int = 50):
    return (SignInEvent.objects.filter(organization=organization).select_related("extension")
            .order_by("-created_at", "-id")[:limit])
