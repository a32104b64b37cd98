from django.apps import AppConfig


class PresenceConfig(AppConfig):
    name = "presence"
    verbose_name = "Teams presence"

    def ready(self):
        from integrations.sync.registry import KindSpec, register
        from presence import poll, tasks  # noqa: F401 - tasks registers the Celery tasks

        register(KindSpec("presence", poll.execute, "feature_presence", default_interval_seconds=30,
                          min_interval_seconds=10, quiet=poll.is_quiet))
