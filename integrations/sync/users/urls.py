"""User Synchronization pages, included under /integrations/ in the "integrations" namespace."""

from django.urls import path

from integrations.sync.users import views

urlpatterns = [
    path("entra/user-sync/", views.user_sync_view, name="user_sync"),
    path("entra/user-sync/sync-now/", views.user_sync_now_view, name="user_sync_now"),
    path("entra/user-sync/preview/", views.user_sync_preview_view, name="user_sync_preview"),
    path("entra/user-sync/sync-user/", views.user_sync_single_view, name="user_sync_single"),
    path("entra/user-sync/groups/refresh/", views.user_sync_groups_refresh_view, name="user_sync_groups_refresh"),
    path("entra/user-sync/filter-preview/", views.user_sync_filter_preview_view, name="user_sync_filter_preview"),
    path("entra/user-sync/status.json", views.user_sync_status_view, name="user_sync_status"),
]
