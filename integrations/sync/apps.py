from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "integrations.sync"
    label = "sync"
    verbose_name = "Directory synchronization"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from integrations.sync import tasks  # noqa: F401 - registers the Celery tasks (pbx_portal.jobs sends them by name)
