"""The Redirect URIs an admin registers in Entra (shown on the Connection tab): built from PUBLIC_BASE_URL,
exactly as the SSO views serve them (sso/urls.py mounts them under SSO_PREFIX).

Entra matches redirect URIs exactly (case and trailing slash), so these paths are the single source of truth
for both the setup page and the SSO callbacks.
"""

from django.conf import settings

SSO_PREFIX = "/sso/"
ADMIN_CALLBACK_PATH = "/sso/microsoft/callback/"
UC_CLIENT_CALLBACK_PATH = "/sso/uc/microsoft/callback/"


def admin_redirect_uri() -> str:
    return settings.PUBLIC_BASE_URL + ADMIN_CALLBACK_PATH


def uc_client_redirect_uri() -> str:
    return settings.PUBLIC_BASE_URL + UC_CLIENT_CALLBACK_PATH


def redirect_uris() -> list[dict]:
    return [
        {"label": "Portal administrators (Sign in with Microsoft)", "uri": admin_redirect_uri()},
        {"label": "UC Client users (Sign in with Microsoft)", "uri": uc_client_redirect_uri()},
    ]


# Features above this room (SSO) say which Redirect URIs they need while switched on: need(connection) returns
# [(feature label, uri)]. Test Connection fails a missing one, for that feature (registered from AppConfig.ready()).
REDIRECT_NEEDS: list = []


def register_redirect_need(need) -> None:
    if need not in REDIRECT_NEEDS:
        REDIRECT_NEEDS.append(need)


def redirect_uris_needed(connection) -> list[tuple[str, str]]:
    return [item for need in REDIRECT_NEEDS for item in need(connection)]
