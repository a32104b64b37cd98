"""Operator console: SSO settings and the sign-in log (read-only); tokens and passwords are stored hashed only."""

from django.contrib import admin

from sso.models import AdminMicrosoftLink, SignInEvent, SsoSettings


@admin.register(SsoSettings)
class SsoSettingsAdmin(admin.ModelAdmin):
    list_display = ("organization", "allow_sso_login", "require_microsoft_for_admins", "updated_at")


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "channel", "succeeded", "reason", "email")
    list_filter = ("channel", "succeeded", "reason")
    readonly_fields = [field.name for field in SignInEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AdminMicrosoftLink)
class AdminMicrosoftLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "username", "tenant_id", "created_at")
    readonly_fields = ("user", "tenant_id", "object_id", "username", "created_at")

    def has_add_permission(self, request):
        return False  # an administrator links their own account by signing in with Microsoft; operators may unlink
