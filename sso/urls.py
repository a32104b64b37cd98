"""Sign in with Microsoft, under /sso/: both callbacks (paths from integrations.redirect_uris, what admins register
in Entra), administrators' sign-in and account link, and an extension's UC password."""

from django.urls import path

from integrations.redirect_uris import ADMIN_CALLBACK_PATH, SSO_PREFIX, UC_CLIENT_CALLBACK_PATH
from sso import views_admin, views_uc

app_name = "sso"
urlpatterns = [
    path(ADMIN_CALLBACK_PATH.removeprefix(SSO_PREFIX), views_admin.admin_callback_view, name="admin_callback"),
    path(UC_CLIENT_CALLBACK_PATH.removeprefix(SSO_PREFIX), views_uc.uc_callback_view, name="uc_callback"),
    path("microsoft/login/", views_admin.admin_microsoft_login_view, name="admin_microsoft_login"),
    path("microsoft/link/", views_admin.admin_link_view, name="admin_link"),
    path("microsoft/unlink/", views_admin.admin_unlink_view, name="admin_unlink"),
    path("extensions/<int:pk>/uc-password/", views_admin.uc_password_view, name="uc_password_set"),
]
