from django.urls import path

from presence import views

app_name = "presence"
urlpatterns = [
    path("integrations/collaboration/presence/", views.presence_settings_view, name="settings"),
    path("api/pbx/calls/events", views.call_events_view, name="call_events"),
]
