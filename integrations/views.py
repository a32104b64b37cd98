from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from integrations.forms import EntraConnectionForm
from integrations.permissions import permission_rows
from integrations.redirect_uris import redirect_uris
from integrations.selectors import connection_test_state, page_badge_text, recent_changes
from integrations.services import connection_for, connection_save, connection_test_start
from integrations.status import connection_badge
from organizations.decorators import organization_required
from pbx_portal.http import refuse, wants_json

NOT_CONFIGURED = "Save the Tenant ID, Client ID and a client secret or certificate first."


@organization_required
def entra_view(request):
    connection = connection_for(request.organization)
    form = EntraConnectionForm(request.POST or None, instance=connection)
    unsaved_secrets = []
    if request.method == "POST":
        if form.is_valid():
            connection_save(connection=connection, cleaned_data=form.cleaned_data, certificate=form.certificate,
                            actor=request.user)
            messages.success(request, "Microsoft Entra ID settings saved. Click Test Connection to check them.")
            return redirect("integrations:entra")
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
        unsaved_secrets = form.unsaved_secrets()
        connection = connection_for(request.organization)  # show the stored state, not the rejected input
    badge = connection_badge(connection)
    return render(request, "integrations/entra.html", {
        "connection": connection,
        "form": form,
        "unsaved_secrets": unsaved_secrets,
        "badge": badge,
        "badge_text": page_badge_text(connection, badge),
        "test_state": connection_test_state(connection),
        "redirect_uris": redirect_uris(),
        "permissions": permission_rows(connection),
        "recent_changes": recent_changes(organization=request.organization),
    })



@require_POST
@organization_required
def entra_test_view(request):
    """Queue Test Connection for a worker and answer at once; the page polls entra_test_status for the results."""
    connection = connection_for(request.organization)
    if not connection.pk or not connection.is_configured:
        return refuse(request, NOT_CONFIGURED, "integrations:entra")
    started = connection_test_start(connection=connection, actor=request.user)
    if wants_json(request):
        return JsonResponse({**connection_test_state(connection), "already_running": not started}, status=202)
    if not started:
        messages.info(request, "A test is already running; its results appear below when it finishes.")
    return redirect("integrations:entra")


@require_GET
@organization_required
def entra_test_status_view(request):
    return JsonResponse(connection_test_state(connection_for(request.organization)))


@organization_required
def collaboration_view(request):
    return render(request, "integrations/collaboration.html", {"connection": connection_for(request.organization)})
