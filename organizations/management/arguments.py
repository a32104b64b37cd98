"""What the operators' commands share: finding the organization named on the command line."""

from django.core.management.base import CommandError

from organizations.models import Organization


def organization_from_argument(value: str) -> Organization:
    """The organization whose name (case-insensitive) or slug is `value`; CommandError if there is none."""
    organization = Organization.objects.filter(name__iexact=value).first() or \
        Organization.objects.filter(slug=value).first()
    if organization is None:
        raise CommandError(f"No organization named “{value}”.")
    return organization
