"""Integrations > Microsoft Entra ID > SCIM provisioning, under /integrations/entra/scim/."""

from django.urls import path

from integrations.scim import views_settings

app_name = "scim_settings"
urlpatterns = [
    path("", views_settings.scim_settings_view, name="settings"),
    path("token/", views_settings.scim_token_generate_view, name="token_generate"),
    path("token/revoke/", views_settings.scim_token_revoke_view, name="token_revoke"),
    path("mode/", views_settings.scim_mode_view, name="mode"),
]
