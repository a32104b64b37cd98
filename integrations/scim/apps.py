from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "integrations.scim"
    label = "scim"
    verbose_name = "SCIM provisioning (Microsoft Entra provisioning service)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from integrations.scim import guards, responses
        from integrations.sync.users.provisioning_mode import add_enable_guard
        from pbx_portal.input_guard import add_error_renderer

        add_enable_guard(guards.graph_sync_refusal)
        add_error_renderer("/scim/", responses.guard_error)
