"""The UC Client's directory page, under /uc/directory/."""

from django.urls import path

from contacts import api

app_name = "uc_directory"
urlpatterns = [
    path("", api.uc_directory_view, name="page"),
]
