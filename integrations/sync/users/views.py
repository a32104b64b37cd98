"""Integrations > Microsoft Entra ID > User Synchronization: settings, Sync Now, Preview, Sync this user."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from integrations.graph.users import EXTENSION_FIELD_SOURCES
from integrations.models import EntraConnection
from integrations.sync.answers import run_refused, run_started
from integrations.sync.history import sync_history
from integrations.sync.models import SyncEvent, SyncKind, SyncRun
from integrations.sync.quarantine import schedule_for
from integrations.sync.registry import why_not_runnable
from integrations.sync.reporting import run_progress
from integrations.sync.runs import active_run
from integrations.sync.selectors import latest_run
from integrations.sync.users import services
from integrations.sync.users.forms import FilterPreviewForm, SingleUserForm, UserSyncSettingsForm
from integrations.sync.users.models import DirectoryGroup
from integrations.sync.users.numbering_preview import FIELDS as PREVIEW_FIELDS
from integrations.sync.users.numbering_preview import SAMPLE_SIZE as PREVIEW_SIZE
from integrations.sync.users.numbering_preview import numbering_preview_request, numbering_preview_result
from integrations.sync.users.pending import PENDING, REFUSED, pending_change_discard, pending_form_data
from integrations.sync.users.provisioning_mode import enable_refusal
from integrations.sync.users.scope import scope_description
from organizations.decorators import organization_required
from pbx_portal.held_change import status_summary
from pbx_portal.http import refuse, wants_json

CHECKING_MESSAGE = ("Microsoft Graph is checking your changes. Nothing is saved until it accepts them: the previous "
                    "settings stay in effect for every run.")


@organization_required
def user_sync_view(request):
    organization = request.organization
    settings = services.user_sync_settings_for(organization)
    connection = EntraConnection.objects.filter(organization=organization).first()
    schedule = schedule_for(organization, SyncKind.USERS)
    held = pending_form_data(settings) if request.method != "POST" else None
    form = UserSyncSettingsForm(request.POST or held, instance=settings, organization=organization,
                                enabled=bool(connection and connection.feature_user_sync),
                                interval_minutes=max(1, schedule.interval_seconds // 60))
    pending = settings.pending_change or {}
    if held is not None and form.is_valid() and pending.get("status") == REFUSED:
        form.add_error(pending["field"] if pending["field"] in form.fields else None, pending["message"])
    if request.method == "POST":
        if connection is None:
            messages.error(request, "Connect Microsoft Entra ID first (Connection tab), then set up user sync.")
            return redirect("integrations:entra")
        if form.is_valid():
            settings = services.user_sync_settings_save(organization=organization, cleaned_data=form.cleaned_data,
                                                        actor=request.user, form_data=request.POST)
            if (settings.pending_change or {}).get("status") == PENDING:
                messages.info(request, CHECKING_MESSAGE)
                return redirect("user_sync:settings")
            messages.success(request, "User Synchronization settings saved. " + services.automatic_sync_sentence(
                organization, enabled=form.cleaned_data["enabled"]))
            return redirect("user_sync:settings")
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    if not DirectoryGroup.objects.filter(organization=organization).exists() and connection and \
            connection.is_configured and not settings.groups_refresh:
        services.groups_refresh_request(organization)
    run = active_run(organization, SyncKind.USERS)
    return render(request, "integrations/user_sync.html", {
        "form": form, "settings": settings, "connection": connection, "schedule": schedule,
        "not_runnable": why_not_runnable(connection, SyncKind.USERS, explicit=True),
        "automatic": bool(connection and connection.feature_user_sync),
        "automatic_sentence": services.automatic_sync_sentence(
            organization, enabled=bool(connection and connection.feature_user_sync)),
        "active_run": run, "last_run": latest_run(organization, SyncKind.USERS, finished=True),
        "mapping_rows": EXTENSION_FIELD_SOURCES, "scope_description": scope_description(settings),
        "single_user_form": SingleUserForm(), "other_provisioning": enable_refusal(organization),
        "pending_change": pending, "checking_message": CHECKING_MESSAGE, "numbering_preview_size": PREVIEW_SIZE,
        "history": sync_history(organization, kind=SyncKind.USERS, range_key=request.GET.get("range", "")),
        **approval_context(organization),
    })


def approval_context(organization) -> dict:
    """The run waiting for an admin's decision on its removals, with the first names it would remove."""
    waiting = SyncRun.objects.filter(organization=organization, kind=SyncKind.USERS,
                                     status=SyncRun.Status.NEEDS_APPROVAL).first()
    if waiting is None:
        return {"waiting_run": None}
    counts = waiting.counts or {}
    disabling, deleting = int(counts.get("held_disabled", 0)), int(counts.get("held_deleted", 0))
    if not disabling and not deleting:  # a run held before these counters existed
        disabling = int(counts.get("planned_removals", 0))
    names = list(waiting.events.filter(action=SyncEvent.Action.HELD).values_list("subject", flat=True)[:5])
    return {"waiting_run": waiting, "held_disabling": disabling, "held_deleting": deleting, "held_names": names,
            "held_more": max(0, disabling + deleting - len(names)),
            "approve_question": approve_question(disabling, deleting)}


def approve_question(disabling: int, deleting: int) -> str:
    parts = []
    if disabling:
        parts.append(f"{disabling} extension{'s' if disabling != 1 else ''} will be disabled")
    if deleting:
        parts.append(f"{deleting} extension{'s' if deleting != 1 else ''} will be deleted")
    return f"Approve these removals? {' and '.join(parts) or 'Nothing will be removed'}."


@require_POST
@organization_required
def user_sync_now_view(request):
    if refused := run_refused(request, SyncKind.USERS, "user_sync:settings"):
        return refused
    run, created = services.sync_now(organization=request.organization, actor=request.user)
    return run_started(request, run, created, "Sync")


@require_POST
@organization_required
def user_sync_preview_view(request):
    connection = EntraConnection.objects.filter(organization=request.organization).first()
    if connection is None or not connection.is_configured:
        messages.error(request, "Connect Microsoft Entra ID first.")
        return redirect("user_sync:settings")
    run, created = services.sync_now(organization=request.organization, actor=request.user, dry_run=True)
    return run_started(request, run, created, "Preview of changes (nothing is applied)")


@require_POST
@organization_required
def user_sync_single_view(request):
    form = SingleUserForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["user"][0])
        return redirect("user_sync:settings")
    if refused := run_refused(request, SyncKind.USERS, "user_sync:settings"):
        return refused
    run, created = services.sync_single_user_start(organization=request.organization, actor=request.user,
                                                   user=form.cleaned_data["user"])
    return run_started(request, run, created, f"Sync of {form.cleaned_data['user']}")


@require_POST
@organization_required
def user_sync_groups_refresh_view(request):
    services.groups_refresh_request(request.organization)
    messages.info(request, "Reading the group list from Microsoft Entra ID…")
    return redirect(reverse("user_sync:settings") + "#scope")


@require_POST
@organization_required
def user_sync_filter_preview_view(request):
    form = FilterPreviewForm(request.POST)
    if not form.is_valid():
        return refuse(request, "Enter a filter to preview (at most 2,000 characters).", "user_sync:settings",
                      status=400)
    services.filter_preview_request(organization=request.organization,
                                    odata_filter=" ".join(form.cleaned_data["custom_filter"].split()))
    if wants_json(request):
        return JsonResponse({"status": "pending"}, status=202)
    messages.info(request, "Asking Microsoft Graph how many users match…")
    return redirect(reverse("user_sync:settings") + "#scope")


@require_POST
@organization_required
def user_sync_numbering_preview_view(request):
    """Queue a preview of the numbers the form's unsaved values would give; nothing is saved."""
    connection = EntraConnection.objects.filter(organization=request.organization).first()
    if connection is None or not connection.is_configured:
        return JsonResponse({"error": "Connect Microsoft Entra ID first (Connection tab)."}, status=409)
    settings = services.user_sync_settings_for(request.organization)
    form = UserSyncSettingsForm(request.POST, instance=settings, organization=request.organization,
                                enabled=bool(connection.feature_user_sync), interval_minutes=5)
    form.is_valid()
    errors = {name: [str(e) for e in form.errors[name]] for name in form.errors
              if name in PREVIEW_FIELDS or name == "group_ids"}
    if errors:
        return JsonResponse({"error": "Correct the fields marked below, then preview again.", "fields": errors},
                            status=400)
    preview_id = numbering_preview_request(organization=request.organization, cleaned_data=form.cleaned_data)
    return JsonResponse({"status": "pending", "id": preview_id}, status=202)


@require_GET
@organization_required
def user_sync_numbering_preview_status_view(request):
    return JsonResponse(numbering_preview_result(request.organization))


@require_POST
@organization_required
def user_sync_pending_discard_view(request):
    pending_change_discard(services.user_sync_settings_for(request.organization))
    messages.info(request, "The change was discarded; the saved settings are shown.")
    return redirect("user_sync:settings")


@require_GET
@organization_required
def user_sync_status_view(request):
    """Everything the page polls: the filter verdicts, the group list refresh and the running sync."""
    settings = services.user_sync_settings_for(request.organization)
    run = active_run(request.organization, SyncKind.USERS)
    return JsonResponse({
        "filter_check": settings.filter_check, "filter_preview": settings.filter_preview,
        "groups_refresh": settings.groups_refresh,
        "pending_change": status_summary(settings.pending_change),
        "run": {**run_progress(run), "url": reverse("sync:run", args=[run.pk])} if run else None,
    })
