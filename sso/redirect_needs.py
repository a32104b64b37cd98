"""The Redirect URIs single sign-on needs while it is switched on (checked by Test Connection)."""

from integrations.redirect_uris import admin_redirect_uri, uc_client_redirect_uri
from sso.models import AdminMicrosoftLink, SsoSettings


def sso_redirect_needs(connection) -> list[tuple[str, str]]:
    settings = SsoSettings.objects.filter(organization_id=connection.organization_id).first()
    needs = []
    if settings is not None and settings.allow_sso_login:
        needs.append(("UC Client sign-in with Microsoft", uc_client_redirect_uri()))
    admins_use_microsoft = (settings is not None and settings.require_microsoft_for_admins) or \
        AdminMicrosoftLink.objects.filter(user__membership__organization_id=connection.organization_id).exists()
    if admins_use_microsoft:
        needs.append(("administrator sign-in with Microsoft", admin_redirect_uri()))
    return needs
