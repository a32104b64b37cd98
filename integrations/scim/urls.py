"""/scim/v2/: the SCIM 2.0 endpoint Microsoft Entra provisioning calls (Tenant URL).

The Tenant URL is shown with a trailing slash; a client that joins it to "/Users" as is ("/scim/v2//Users") reaches
the same views."""

from django.urls import path

from integrations.scim import views

ROUTES = [
    (".search", views.root_search_view, "search"),
    ("Users/.search", views.users_search_view, "users_search"),
    ("Groups/.search", views.groups_search_view, "groups_search"),
    ("ServiceProviderConfig", views.service_provider_config_view, "service_provider_config"),
    ("ResourceTypes", views.resource_types_view, "resource_types"),
    ("ResourceTypes/<str:type_id>", views.resource_type_view, "resource_type"),
    ("Schemas", views.schemas_view, "schemas"),
    ("Schemas/<str:schema_id>", views.schema_view, "schema"),
    ("Users", views.users_view, "users"),
    ("Users/<str:resource_id>", views.user_view, "user"),
    ("Groups", views.groups_view, "groups"),
    ("Groups/<str:resource_id>", views.group_view, "group"),
]

app_name = "scim"
urlpatterns = [
    *(path(prefix + route, view, name=name) for prefix in ("", "/") for route, view, name in ROUTES),
    path("", views.not_found_view, name="root"),
    path("<path:rest>", views.not_found_view, name="not_found"),
]
