"""The Collaboration page's presence section (POST target) and the PBX call-event API."""

import json

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from integrations.services import connection_for
from organizations.api_keys import api_key_required
from organizations.decorators import organization_required
from organizations.models import ApiScope
from pbx_portal.http import json_error
from presence.forms import PresenceSettingsForm
from presence.services import UnknownExtension, call_event_record, presence_settings_save

EVENTS = ("started", "ended")


@require_POST
@organization_required
def presence_settings_view(request):
    form = PresenceSettingsForm.from_post(request.POST)
    connection = connection_for(request.organization)
    if not form.is_valid():
        messages.error(request, "Microsoft Teams Presence: nothing was saved. Please correct the fields marked below.")
        return render(request, "integrations/collaboration.html", {"connection": connection, "presence_form": form},
                      status=400)
    if not connection.pk:
        messages.error(request, "Connect Microsoft Entra ID first (Integrations > Microsoft Entra ID).")
        return redirect("integrations:collaboration")
    data = form.cleaned_data
    presence_settings_save(organization=request.organization, connection=connection, enabled=data["enabled"],
                           direction=data["direction"], mapping=data["mapping"],
                           poll_interval_seconds=data["poll_interval_seconds"], actor=request.user)
    messages.success(request, "Microsoft Teams Presence settings saved.")
    return redirect("integrations:collaboration")


@require_POST
@api_key_required(scope=ApiScope.CALL_EVENTS)
def call_events_view(request):
    """POST /api/pbx/calls/events {"extension": "1001", "event": "started"|"ended", "call_id": "..."}."""
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return json_error(400, "The body must be JSON.")
    if not isinstance(body, dict):
        return json_error(400, 'The body must be a JSON object: {"extension", "event", "call_id"}.')
    number = body.get("extension")
    event = body.get("event")
    call_id = body.get("call_id")
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    if not isinstance(number, str) or not number.strip() or len(number) > 10:
        return json_error(400, '"extension" must be the extension number, e.g. "1001".')
    if event not in EVENTS:
        return json_error(400, '"event" must be "started" or "ended".')
    if not isinstance(call_id, (str, int)) or isinstance(call_id, bool) or not str(call_id).strip() \
            or len(str(call_id)) > 128:
        return json_error(400, '"call_id" must be a non-empty string of at most 128 characters.')
    try:
        result = call_event_record(organization=request.organization, number=number.strip(), event=event,
                                   call_id=str(call_id).strip())
    except UnknownExtension:
        return json_error(404, f"No extension {number} in this organization.")
    return JsonResponse(result, status=202)
