from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        from integrations import tasks  # noqa: F401 - registers the Celery tasks (pbx_portal.jobs sends them by name)
