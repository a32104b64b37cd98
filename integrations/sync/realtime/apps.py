from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "integrations.sync.realtime"
    label = "realtime"
    verbose_name = "Near real-time updates (Microsoft Graph change notifications)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from integrations.retiring import register_connection_retiring
        from integrations.sync.realtime import tasks  # noqa: F401 - registers the Celery tasks
        from integrations.sync.realtime.models import Subscription
        from integrations.sync.realtime.services import subscriptions_retire
        from pbx_portal.input_guard import add_body_limit

        register_connection_retiring(subscriptions_retire)

        post_save.connect(_forget, sender=Subscription, dispatch_uid="realtime.forget_saved")
        post_delete.connect(_forget, sender=Subscription, dispatch_uid="realtime.forget_deleted")

        # Graph sends many notifications in one POST when they pile up: a 413 would only make it retry, then drop.
        add_body_limit("/graph/notifications/", settings.GRAPH_NOTIFICATION_MAX_BYTES)


def _forget(sender, instance, **kwargs):
    from integrations.sync.realtime.inbox import forget_looked_up

    if instance.graph_id:
        forget_looked_up(instance.graph_id)
