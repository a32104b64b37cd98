from django.contrib import admin
from django.db.models import Case, Value, When
from django.utils import timezone

from organizations.models import AuditEntry, Membership, Organization, OrganizationApiKey, SignInFailureCount
from organizations.sign_in_throttle import sign_in_rows_clear


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "default_region", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "created_at")
    list_select_related = ("user", "organization")
    # Plain selects: the autocomplete widget looked up whatever was posted and failed (500) on a non-id.


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "actor", "action", "target")
    list_filter = ("action",)
    list_select_related = ("organization", "actor")
    readonly_fields = ("organization", "actor", "action", "target", "changes", "created_at")

    def has_add_permission(self, request):
        return False  # the portal writes the audit; nobody adds to it by hand

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OrganizationApiKey)
class OrganizationApiKeyAdmin(admin.ModelAdmin):
    """Read-only for operators: keys are created and revoked by the organization's admins; the hash is never shown."""

    list_display = ("name", "organization", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("organization",)
    fields = ("organization", "name", "prefix", "scopes", "legacy_scopes", "created_by", "created_at", "last_used_at",
              "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


class SignInStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("locked", "Locked now"), ("counting", "Counting, not locked"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "locked":
            return queryset.filter(locked_until__gt=now)
        if self.value() == "counting":
            return queryset.filter(expires_at__gt=now).exclude(locked_until__gt=now)
        if self.value() == "expired":
            return queryset.filter(expires_at__lte=now)
        return queryset


@admin.register(SignInFailureCount)
class SignInFailureCountAdmin(admin.ModelAdmin):
    """Locked usernames and addresses (admin and UC password sign-in), and the counts that lead to them: Unlock."""

    list_display = ("state", "sign_in", "who", "failures", "last_failure_at")
    list_filter = (SignInStateFilter, "realm", "kind")
    search_fields = ("username", "ip_address")
    actions = ("unlock",)
    fields = ("realm", "kind", "username", "ip_address", "failures", "first_failure_at", "last_failure_at",
              "locked_until", "expires_at")
    readonly_fields = fields

    def get_queryset(self, request):  # ModelAdmin's would order by get_ordering() before the annotation exists
        locked = Case(When(locked_until__gt=timezone.now(), then=Value(1)), default=Value(0))
        return self.model._default_manager.annotate(locked_now=locked).order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ["-locked_now", "-last_failure_at"]  # locks first, then the latest failures

    @admin.display(description="state", ordering="locked_until")
    def state(self, row):
        now = timezone.now()
        if row.locked_until and row.locked_until > now:
            return f"Locked until {timezone.localtime(row.locked_until):%H:%M:%S}"
        return "Counting" if row.expires_at > now else "Expired"

    @admin.display(description="sign-in", ordering="realm")
    def sign_in(self, row):
        return "Admin" if row.realm == SignInFailureCount.Realm.ADMIN else "UC password"

    @admin.display(description="account and address")
    def who(self, row):
        return f"{row.username or 'any account'} from {row.ip_address or 'any address'}"

    @admin.action(description="Unlock (clear the selected counts and locks)")
    def unlock(self, request, queryset):
        cleared = sign_in_rows_clear(queryset)
        self.message_user(request, f"Cleared {len(cleared)}: " + "; ".join(cleared) if cleared else "Nothing to clear.")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # Unlock does the same, and logs what it cleared
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
