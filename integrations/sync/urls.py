"""The sync log and run pages (every sync kind), included under /integrations/ in the "integrations" namespace."""

from django.urls import path

from integrations.sync import views_log

urlpatterns = [
    path("sync/log/", views_log.sync_log_view, name="sync_log"),
    path("sync/runs/<int:run_id>/", views_log.sync_run_view, name="sync_run"),
    path("sync/runs/<int:run_id>/progress.json", views_log.sync_run_progress_view, name="sync_run_progress"),
    path("sync/runs/<int:run_id>/approve/", views_log.sync_run_approve_view, name="sync_run_approve"),
    path("sync/runs/<int:run_id>/reject/", views_log.sync_run_reject_view, name="sync_run_reject"),
]
