from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "integrations.sync"
    label = "sync"
    verbose_name = "Directory synchronization"
    default_auto_field = "django.db.models.BigAutoField"
