from django.contrib import admin

from extensions.models import Extension


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("number", "display_name", "organization", "email", "status", "source")
    list_filter = ("status", "source")
    list_select_related = ("organization",)
    search_fields = ("number", "display_name", "email")
    show_full_result_count = False
