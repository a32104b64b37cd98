"""SSO URLs. The two callback paths come from sso.redirect_uris (what admins register in Entra)."""

from django.urls import path

from sso import views_admin, views_api, views_uc
from sso.redirect_uris import ADMIN_CALLBACK_PATH, UC_CLIENT_CALLBACK_PATH

app_name = "sso"
urlpatterns = [
    # UC Client (web, and native apps through an allow-listed custom scheme)
    path("uc/", views_uc.uc_home_view, name="uc_home"),
    path("uc/login/", views_uc.uc_login_view, name="uc_login"),
    path("uc/login/microsoft/", views_uc.uc_sso_start_view, name="uc_sso_start"),
    path("uc/login/password/", views_uc.uc_password_view, name="uc_password"),
    path("uc/logout/", views_uc.uc_logout_view, name="uc_logout"),
    path(UC_CLIENT_CALLBACK_PATH.lstrip("/"), views_uc.uc_callback_view, name="uc_callback"),
    # UC Client API
    path("api/uc/token", views_api.token_view, name="uc_token"),
    path("api/uc/revoke", views_api.revoke_view, name="uc_revoke"),
    path("api/uc/me", views_api.me_view, name="uc_me"),
    path("api/uc/openapi.yaml", views_api.openapi_view, name="uc_openapi"),
    # Portal administrators
    path(ADMIN_CALLBACK_PATH.lstrip("/"), views_admin.admin_callback_view, name="admin_callback"),
    path("sso/microsoft/login/", views_admin.admin_microsoft_login_view, name="admin_microsoft_login"),
    path("sso/microsoft/link/", views_admin.admin_link_view, name="admin_link"),
    path("sso/microsoft/unlink/", views_admin.admin_unlink_view, name="admin_unlink"),
    path("sso/extensions/<int:pk>/uc-password/", views_admin.uc_password_view, name="uc_password_set"),
]
