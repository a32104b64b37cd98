"""Sync pages, included under /integrations/ in the "integrations" namespace."""

from django.urls import path

from integrations.sync import views_log, views_settings

urlpatterns = [
    path("entra/user-sync/", views_settings.user_sync_view, name="user_sync"),
    path("entra/user-sync/sync-now/", views_settings.user_sync_now_view, name="user_sync_now"),
    path("entra/user-sync/preview/", views_settings.user_sync_preview_view, name="user_sync_preview"),
    path("entra/user-sync/sync-user/", views_settings.user_sync_single_view, name="user_sync_single"),
    path("entra/user-sync/groups/refresh/", views_settings.user_sync_groups_refresh_view,
         name="user_sync_groups_refresh"),
    path("entra/user-sync/filter-preview/", views_settings.user_sync_filter_preview_view,
         name="user_sync_filter_preview"),
    path("entra/user-sync/status.json", views_settings.user_sync_status_view, name="user_sync_status"),
    path("sync/log/", views_log.sync_log_view, name="sync_log"),
    path("sync/runs/<int:run_id>/", views_log.sync_run_view, name="sync_run"),
    path("sync/runs/<int:run_id>/progress.json", views_log.sync_run_progress_view, name="sync_run_progress"),
    path("sync/runs/<int:run_id>/approve/", views_log.sync_run_approve_view, name="sync_run_approve"),
    path("sync/runs/<int:run_id>/reject/", views_log.sync_run_reject_view, name="sync_run_reject"),
]
