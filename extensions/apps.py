from django.apps import AppConfig


class ExtensionsConfig(AppConfig):
    name = "extensions"
    verbose_name = "Extensions"

    def ready(self):
        from extensions.services import FIELD_WORDS
        from organizations.audit import audit_words_register

        audit_words_register(FIELD_WORDS)
