from django.contrib import admin

from integrations.models import EntraConnection


@admin.register(EntraConnection)
class EntraConnectionAdmin(admin.ModelAdmin):
    """Operators see the connection's state, never its secrets."""

    list_display = ("organization", "tenant_id", "client_id", "credential_type", "status", "last_tested_at")
    list_select_related = ("organization",)
    exclude = ("client_secret", "certificate_private_key")
    readonly_fields = ("last_test_results", "status_detail", "last_tested_at", "graph_secret_expires_at")
