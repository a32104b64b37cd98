from django.contrib import admin

from organizations.models import AuditEntry, Membership, Organization, OrganizationApiKey


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "default_region", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "created_at")
    list_select_related = ("user", "organization")
    autocomplete_fields = ("organization",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "actor", "action", "target")
    list_filter = ("action",)
    list_select_related = ("organization", "actor")
    readonly_fields = ("organization", "actor", "action", "target", "changes", "created_at")


@admin.register(OrganizationApiKey)
class OrganizationApiKeyAdmin(admin.ModelAdmin):
    """Read-only for operators: keys are created and revoked by the organization's admins; the hash is never shown."""

    list_display = ("name", "organization", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("organization",)
    fields = ("organization", "name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
