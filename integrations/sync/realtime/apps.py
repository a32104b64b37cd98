from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "integrations.sync.realtime"
    label = "realtime"
    verbose_name = "Near real-time updates (Microsoft Graph change notifications)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from integrations.sync.realtime import tasks  # noqa: F401 - registers the Celery tasks
