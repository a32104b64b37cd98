from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"

    def ready(self):
        from sso import middleware  # noqa: F401 - connects the admin sign-in policy to user_logged_in
