"""/scim/v2/: the SCIM 2.0 endpoint Microsoft Entra provisioning calls (Tenant URL)."""

from django.urls import path

from integrations.scim import views

app_name = "scim"
urlpatterns = [
    path(".search", views.root_search_view, name="search"),
    path("Users/.search", views.users_search_view, name="users_search"),
    path("Groups/.search", views.groups_search_view, name="groups_search"),
    path("ServiceProviderConfig", views.service_provider_config_view, name="service_provider_config"),
    path("ResourceTypes", views.resource_types_view, name="resource_types"),
    path("ResourceTypes/<str:type_id>", views.resource_type_view, name="resource_type"),
    path("Schemas", views.schemas_view, name="schemas"),
    path("Schemas/<str:schema_id>", views.schema_view, name="schema"),
    path("Users", views.users_view, name="users"),
    path("Users/<str:resource_id>", views.user_view, name="user"),
    path("Groups", views.groups_view, name="groups"),
    path("Groups/<str:resource_id>", views.group_view, name="group"),
    path("", views.not_found_view, name="root"),
    path("<path:rest>", views.not_found_view, name="not_found"),
]
