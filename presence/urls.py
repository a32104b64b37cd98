"""Integrations > Collaboration > Teams presence settings, under /integrations/collaboration/presence/."""

from django.urls import path

from presence import views

app_name = "presence"
urlpatterns = [
    path("", views.presence_settings_view, name="settings"),
]
