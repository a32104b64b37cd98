from django.urls import path

from contacts import api

app_name = "contacts_api"
urlpatterns = [
    path("api/pbx/lookup", api.lookup_view, name="pbx_lookup"),
]
