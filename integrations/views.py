from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from integrations.forms import EntraConnectionForm
from integrations.permissions import permission_rows
from integrations.services import connection_for, connection_save, connection_test_run
from integrations.status import connection_badge
from organizations.decorators import organization_required
from organizations.models import AuditEntry
from sso.redirect_uris import redirect_uris


@organization_required
def entra_view(request):
    connection = connection_for(request.organization)
    form = EntraConnectionForm(request.POST or None, instance=connection)
    if request.method == "POST":
        if form.is_valid():
            connection_save(connection=connection, cleaned_data=form.cleaned_data, certificate=form.certificate,
                            actor=request.user)
            messages.success(request, "Microsoft Entra ID settings saved. Click Test Connection to check them.")
            return redirect("integrations:entra")
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
        connection = connection_for(request.organization)  # show the stored state, not the rejected input
    return render(request, "integrations/entra.html", {
        "connection": connection,
        "form": form,
        "badge": connection_badge(connection),
        "redirect_uris": redirect_uris(),
        "permissions": permission_rows(connection),
        "recent_changes": AuditEntry.objects.filter(
            organization=request.organization, action__startswith="entra."
        ).select_related("actor")[:10],
    })


@require_POST
@organization_required
def entra_test_view(request):
    connection = connection_for(request.organization)
    if not connection.pk or not connection.is_configured:
        messages.error(request, "Save the Tenant ID, Client ID and a client secret or certificate first.")
        return redirect("integrations:entra")
    outcome = connection_test_run(connection=connection, actor=request.user)
    if outcome.ok:
        messages.success(request, "Test Connection passed: every check is green.")
    else:
        messages.error(request, f"Test Connection failed: {outcome.first_failure.message}")
    return redirect("integrations:entra")


@organization_required
def collaboration_view(request):
    return render(request, "integrations/collaboration.html", {"connection": connection_for(request.organization)})
