from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"

    def ready(self):
        from integrations.redirect_uris import register_redirect_need
        from sso import middleware  # noqa: F401 - connects the admin sign-in policy to user_logged_in
        from sso.redirect_needs import sso_redirect_needs

        register_redirect_need(sso_redirect_needs)
