from django.apps import AppConfig


class UserSyncConfig(AppConfig):
    name = "integrations.sync.users"
    label = "user_sync"
    verbose_name = "User and extension provisioning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from extensions.hooks import add_detail_context, add_list_context
        from integrations.sync.realtime.registry import register_targets
        from integrations.sync.registry import KindSpec, register
        from integrations.sync.users import engine, executor, rejections, selectors, services, tasks  # noqa: F401
        from organizations.audit import audit_words_register

        register(KindSpec("users", executor.execute, "feature_user_sync", default_interval_seconds=300,
                          min_interval_seconds=60, summary=engine.run_summary_counts,
                          explicit_runs_when_off=True, on_reject=rejections.rejection_remember))
        add_list_context(selectors.extension_list_context)
        audit_words_register(services.SETTING_LABELS)
        add_detail_context(selectors.extension_detail_context)
        register_targets("users", selectors.subscription_targets)
