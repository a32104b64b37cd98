from django.urls import path

from contacts import api

app_name = "contacts_api"
urlpatterns = [
    path("api/pbx/lookup", api.lookup_view, name="pbx_lookup"),
    path("api/uc/directory", api.uc_directory_api_view, name="uc_directory"),
    path("uc/directory/", api.uc_directory_view, name="uc_directory_page"),
]
