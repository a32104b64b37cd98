from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        from django.db.models.signals import pre_delete

        from integrations import tasks  # noqa: F401 - registers the Celery tasks (pbx_portal.jobs sends them by name)
        from integrations.models import EntraConnection

        # A connection deleted (by an operator, or with its organization) retires its app like one replaced on save.
        pre_delete.connect(_connection_deleted, sender=EntraConnection, dispatch_uid="integrations.connection_deleted")


def _connection_deleted(sender, instance, **kwargs):
    from integrations.retiring import connection_retiring

    connection_retiring(instance)
