from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self):
        from contacts import tasks  # noqa: F401 - registers the Celery tasks (pbx_portal.jobs sends them by name)
        from contacts.sync import engine
        from contacts.sync.scope import subscription_targets
        from integrations.sync.realtime.registry import register_targets
        from integrations.sync.registry import KindSpec, register

        register(KindSpec("contacts", engine.execute, "feature_contacts", default_interval_seconds=900,
                          min_interval_seconds=300))
        register_targets("contacts", subscription_targets)
