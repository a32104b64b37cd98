"""The UC Client sign-in link: the organization's slug signed with the portal's secret key, so the link routes
to its organization without an email, while a guessed or edited value names no organization."""

from django.core import signing

from organizations.models import Organization

_SIGNER = signing.Signer(salt="sso.uc-sign-in-link")


def sign_in_link_value(organization: Organization) -> str:
    return _SIGNER.sign(organization.slug)


def organization_for_link(value: str) -> Organization | None:
    if not value:
        return None
    try:
        slug = _SIGNER.unsign(value)
    except signing.BadSignature:
        return None
    return Organization.objects.filter(slug=slug).first()
