"""The "Near real-time updates" switch (User Synchronization: users; Collaboration: contacts)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from integrations.sync.realtime.settings_switch import reachable_by_microsoft, realtime_switch_set
from organizations.decorators import organization_required

PAGES = {"users": "user_sync:settings", "contacts": "integrations:collaboration"}


@organization_required
@require_POST
def switch_view(request, kind: str):
    if kind not in PAGES:
        raise Http404("No such synchronization.")
    enabled = request.POST.get("enabled") in ("on", "true", "1")
    if enabled and not reachable_by_microsoft():
        messages.error(request, "Near real-time updates need an HTTPS address Microsoft can reach "
                                "(GRAPH_NOTIFICATION_URL). Nothing was changed.")
        return redirect(PAGES[kind])
    realtime_switch_set(organization=request.organization, kind=kind, enabled=enabled, actor=request.user)
    messages.success(request, "Near real-time updates switched on: Microsoft Graph is being subscribed to; this "
                              "page shows each subscription's state." if enabled else
                     "Near real-time updates switched off: changes arrive with the scheduled sync.")
    return redirect(PAGES[kind])
