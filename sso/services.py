"""Writes for SSO: settings (audited), the sign-in log, UC passwords, administrators' Microsoft links."""

import logging

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction

from extensions.models import Extension
from integrations.graph import IdTokenClaims
from organizations.audit import audit_record, field_changes
from organizations.models import Organization
from sso.models import AdminMicrosoftLink, SignInEvent, SsoSettings, UcCredential
from sso.refusals import Refusal

logger = logging.getLogger(__name__)

SETTINGS_FIELDS = ("allow_sso_login", "require_microsoft_for_admins")


@transaction.atomic
def sso_settings_save(*, organization: Organization, actor, **values) -> SsoSettings:
    settings_row, _ = SsoSettings.objects.select_for_update().get_or_create(organization=organization)
    before = {name: getattr(settings_row, name) for name in SETTINGS_FIELDS}
    for name in SETTINGS_FIELDS:
        if name in values:
            setattr(settings_row, name, bool(values[name]))
    changes = field_changes(before, {name: getattr(settings_row, name) for name in SETTINGS_FIELDS})
    if changes:
        settings_row.save()
        audit_record(organization=organization, actor=actor, action="sso.settings_changed",
                     target="Single sign-on", changes=changes)
    return settings_row


def sign_in_record(*, organization: Organization | None, channel: str, reason: str, succeeded: bool = False,
                   detail: str = "", email: str = "", claims: IdTokenClaims | None = None,
                   extension: Extension | None = None, ip: str | None = None) -> SignInEvent:
    """One row in the organization's sign-in log; a refusal is also an audit entry."""
    event = SignInEvent.objects.create(
        organization=organization, channel=channel, succeeded=succeeded, reason=reason, detail=detail[:500],
        email=(email or (claims.email or claims.preferred_username if claims else ""))[:254],
        entra_object_id=claims.oid[:36] if claims else "", entra_tenant_id=claims.tid[:36] if claims else "",
        extension=extension, ip_address=ip or None,
    )
    if not succeeded and organization is not None:
        audit_record(organization=organization, actor=None, action="sso.sign_in_refused",
                     target=event.email or "unknown account",
                     changes={"reason": [None, reason], "channel": [None, channel]})
    logger.info("SSO sign-in %s: org=%s channel=%s reason=%s", "ok" if succeeded else "refused",
                organization.pk if organization else None, channel, reason)
    return event


def refusal_record(refusal: Refusal, **kwargs) -> SignInEvent:
    return sign_in_record(reason=refusal.reason, succeeded=False, **kwargs)


# -- UC passwords --------------------------------------------------------------------------------------------
def uc_password_set(*, extension: Extension, password: str, actor) -> None:
    UcCredential.objects.update_or_create(extension=extension, defaults={"password_hash": make_password(password)})
    audit_record(organization=extension.organization, actor=actor, action="sso.uc_password_set",
                 target=f"Extension {extension.number}", changes={"uc_password": ["(changed)", "(changed)"]})


def uc_password_check(*, email: str, password: str) -> Extension | None:
    """The one extension with this email whose UC password matches, or None."""
    credentials = (UcCredential.objects.select_related("extension", "extension__organization")
                   .filter(extension__email__iexact=email.strip())[:10])
    matched = [c.extension for c in credentials if check_password(password, c.password_hash)]
    if not credentials:
        make_password(password)  # same work whether or not the account exists
    return matched[0] if len(matched) == 1 else None


# -- administrators' Microsoft accounts ------------------------------------------------------------------------
def admin_link_save(*, user, organization: Organization, claims: IdTokenClaims) -> AdminMicrosoftLink | None:
    """Link the admin to (tid, oid). None if that Microsoft account is linked to another administrator."""
    try:
        with transaction.atomic():
            link, _ = AdminMicrosoftLink.objects.update_or_create(
                user=user, defaults={"tenant_id": claims.tid, "object_id": claims.oid,
                                     "username": claims.preferred_username or claims.email},
            )
    except IntegrityError:
        return None
    audit_record(organization=organization, actor=user, action="sso.admin_microsoft_linked",
                 target=str(user), changes={"microsoft_account": [None, link.username or link.object_id]})
    return link


def admin_unlink(*, user, organization: Organization) -> bool:
    deleted, _ = AdminMicrosoftLink.objects.filter(user=user).delete()
    if deleted:
        audit_record(organization=organization, actor=user, action="sso.admin_microsoft_unlinked",
                     target=str(user), changes={"microsoft_account": ["(linked)", None]})
    return bool(deleted)
