"""The UC Client API's tokens and profile, under /api/uc/ (described at /api/uc/openapi.yaml)."""

from django.urls import path

from sso import views_api

urlpatterns = [
    path("token", views_api.token_view, name="uc_token"),
    path("revoke", views_api.revoke_view, name="uc_revoke"),
    path("me", views_api.me_view, name="uc_me"),
    path("openapi.yaml", views_api.openapi_view, name="uc_openapi"),
]
