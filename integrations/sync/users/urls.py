"""Integrations > Microsoft Entra ID > User Synchronization, under /integrations/entra/user-sync/."""

from django.urls import path

from integrations.sync.users import views

app_name = "user_sync"
urlpatterns = [
    path("", views.user_sync_view, name="settings"),
    path("sync-now/", views.user_sync_now_view, name="sync_now"),
    path("preview/", views.user_sync_preview_view, name="preview"),
    path("sync-user/", views.user_sync_single_view, name="sync_user"),
    path("groups/refresh/", views.user_sync_groups_refresh_view, name="groups_refresh"),
    path("filter-preview/", views.user_sync_filter_preview_view, name="filter_preview"),
    path("status.json", views.user_sync_status_view, name="status"),
    path("numbering-preview/", views.user_sync_numbering_preview_view, name="numbering_preview"),
    path("numbering-preview.json", views.user_sync_numbering_preview_status_view, name="numbering_preview_status"),
    path("pending/discard/", views.user_sync_pending_discard_view, name="pending_discard"),
]
