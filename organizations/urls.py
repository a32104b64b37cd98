from django.urls import path

from organizations import views

app_name = "organizations"
urlpatterns = [
    path("choose/", views.organization_choose_view, name="choose"),
    path("switch/", views.organization_switch_view, name="switch"),
    path("none/", views.no_organization_view, name="no_organization"),
    path("settings/", views.organization_settings_view, name="settings"),
    path("api-keys/", views.api_key_list_view, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
]
