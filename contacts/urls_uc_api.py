"""The UC Client API's directory search, under /api/uc/."""

from django.urls import path

from contacts import api

urlpatterns = [
    path("directory", api.uc_directory_api_view, name="uc_directory_api"),
]
