"""Integrations > Microsoft Entra ID > SSO, under /integrations/entra/sso/."""

from django.urls import path

from sso import views_admin

app_name = "sso_settings"
urlpatterns = [
    path("", views_admin.entra_sso_view, name="settings"),
]
