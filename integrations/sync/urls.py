"""The sync log and each run's page (every sync kind), under /integrations/sync/."""

from django.urls import path

from integrations.sync import views_log

app_name = "sync"
urlpatterns = [
    path("log/", views_log.sync_log_view, name="log"),
    path("runs/<int:run_id>/", views_log.sync_run_view, name="run"),
    path("runs/<int:run_id>/progress.json", views_log.sync_run_progress_view, name="run_progress"),
    path("runs/<int:run_id>/approve/", views_log.sync_run_approve_view, name="run_approve"),
    path("runs/<int:run_id>/reject/", views_log.sync_run_reject_view, name="run_reject"),
]
