"""Creating organizations and their administrators."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from organizations.models import Membership, Organization


class OrganizationExists(ValidationError):
    pass


@transaction.atomic
def organization_create(*, name: str, admin_username: str, admin_password: str, admin_email: str = "",
                        check_password_strength: bool = True) -> tuple[Organization, object]:
    """Create an organization and its first administrator; refuse duplicates with a clear reason."""
    name = name.strip()
    if not name:
        raise ValidationError("The organization name cannot be empty.")
    slug = slugify(name)[:80]
    if not slug:
        raise ValidationError("The organization name must contain letters or digits.")
    if Organization.objects.filter(name__iexact=name).exists() or Organization.objects.filter(slug=slug).exists():
        raise OrganizationExists(f'An organization named "{name}" already exists.')
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=admin_username).exists():
        raise ValidationError(f'A user named "{admin_username}" already exists.')
    user = user_model(username=admin_username, email=admin_email)
    if check_password_strength:
        validate_password(admin_password, user)
    user.set_password(admin_password)
    user.save()
    organization = Organization.objects.create(name=name, slug=slug)
    Membership.objects.create(user=user, organization=organization)
    return organization, user

