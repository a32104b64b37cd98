from django.shortcuts import render

from integrations.models import EntraConnection
from organizations.decorators import organization_required


def _connection(organization) -> EntraConnection:
    return EntraConnection.objects.filter(organization=organization).first() or EntraConnection(
        organization=organization
    )


@organization_required
def entra_view(request):
    return render(request, "integrations/entra.html", {"connection": _connection(request.organization)})


@organization_required
def collaboration_view(request):
    return render(request, "integrations/collaboration.html", {"connection": _connection(request.organization)})
