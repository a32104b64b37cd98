"""The PBX's call events (Teams presence write-back), under /api/pbx/ (organization API keys)."""

from django.urls import path

from presence import views

urlpatterns = [
    path("calls/events", views.call_events_view, name="pbx_call_events"),
]
