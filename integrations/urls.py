"""Integrations > Microsoft Entra ID (the Connection tab and Test Connection) and Integrations > Collaboration."""

from django.urls import path

from integrations import views

app_name = "integrations"
urlpatterns = [
    path("entra/", views.entra_view, name="entra"),
    path("entra/test/", views.entra_test_view, name="entra_test"),
    path("entra/test/status/", views.entra_test_status_view, name="entra_test_status"),
    path("collaboration/", views.collaboration_view, name="collaboration"),
]
