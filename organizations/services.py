"""Creating organizations and their administrators; creating and revoking organization API keys."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from organizations.api_keys import key_generate, key_hash
from organizations.audit import audit_record, field_changes
from organizations.models import DEFAULT_API_SCOPES, ApiScope, Membership, Organization, OrganizationApiKey


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



def api_scopes_clean(scopes) -> list[str]:
    """The chosen scopes in their canonical order; caller-id-personal brings caller-id with it (it adds to it)."""
    chosen = set(scopes or [])
    unknown = chosen - set(ApiScope.values)
    if unknown:
        raise ValidationError({"scopes": f"Unknown scope: {', '.join(sorted(unknown))}."})
    if ApiScope.CALLER_ID_PERSONAL in chosen:
        chosen.add(ApiScope.CALLER_ID)
    if not chosen:
        raise ValidationError({"scopes": "Choose at least one scope: what the key may do."})
    return [scope for scope in ApiScope.values if scope in chosen]


def api_key_create(*, organization: Organization, name: str, actor,
                   scopes=DEFAULT_API_SCOPES) -> tuple[OrganizationApiKey, str]:
    """Create an API key; returns (row, plaintext key). The plaintext is never stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the key a name, e.g. the PBX it is for."})
    if len(name) > 100:
        raise ValidationError({"name": "The name can be at most 100 characters."})
    scopes = api_scopes_clean(scopes)
    key, prefix = key_generate()
    with transaction.atomic():
        api_key = OrganizationApiKey.objects.create(
            organization=organization, name=name, prefix=prefix, key_hash=key_hash(key), scopes=scopes,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(organization=organization, actor=actor, action="api_key.create", target=name,
                     changes={"prefix": [None, prefix], "scopes": [None, scopes]})
    return api_key, key


def api_key_revoke(*, api_key: OrganizationApiKey, actor) -> bool:
    """Revoke a key (idempotent); returns False when it was already revoked."""
    with transaction.atomic():
        updated = OrganizationApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        if not updated:
            return False
        audit_record(organization=api_key.organization, actor=actor, action="api_key.revoke",
                     target=api_key.name, changes={"prefix": [api_key.prefix, api_key.prefix],
                                                   "revoked": [False, True]})
    api_key.refresh_from_db(fields=["revoked_at"])
    return True


def organization_settings_save(*, organization: Organization, cleaned_data: dict, actor) -> Organization:
    """Save the organization's settings; every change is in the audit list."""
    stored = Organization.objects.get(pk=organization.pk)  # a ModelForm has already set the new values on its instance
    before = {name: getattr(stored, name) for name in cleaned_data}
    for name, value in cleaned_data.items():
        setattr(organization, name, value)
    changes = field_changes(before, cleaned_data)
    if changes:
        organization.save(update_fields=list(changes))
        audit_record(organization=organization, actor=actor, action="organization.settings_changed",
                     target="Organization settings", changes=changes)
    return organization
