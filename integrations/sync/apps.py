from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "integrations.sync"
    label = "sync"
    verbose_name = "Directory synchronization"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from integrations.models import EntraConnection
        from integrations.sync import tasks  # noqa: F401 - registers the Celery tasks (pbx_portal.jobs sends them by name)

        post_save.connect(_schedules_for_saved_connection, sender=EntraConnection, weak=False,
                          dispatch_uid="sync.schedules_for_connection")


def _schedules_for_saved_connection(sender, instance, raw=False, **kwargs):
    """A kind switched on gets its schedule at once: the dispatcher's tick only reads schedules."""
    if not raw:
        from integrations.sync.dispatch import ensure_schedules_for

        ensure_schedules_for(instance)
