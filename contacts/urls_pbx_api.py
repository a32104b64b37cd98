"""The PBX's caller-ID lookup, under /api/pbx/ (organization API keys)."""

from django.urls import path

from contacts import api

urlpatterns = [
    path("lookup", api.lookup_view, name="pbx_lookup"),
]
