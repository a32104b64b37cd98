"""Where Microsoft Graph calls the portal (machine to machine: no session, no CSRF token, no admin SSO policy).

Both endpoints answer the validation handshake (``?validationToken=``: 200, text/plain, the decoded token) and take
notification POSTs with 202 once they are checked and recorded (inbox.receive). Whatever is wrong with an item, the
answer is still 202: a sender learns nothing about which subscriptions exist. A body that is not a notification is
a 400; no input is a 500.
"""

import logging

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from integrations.sync.realtime.inbox import receive
from pbx_portal.http import json_error

logger = logging.getLogger(__name__)
VALIDATION_TOKEN_MAX = 1024


def _endpoint(request, *, lifecycle: bool):
    token = request.GET.get("validationToken")
    if token is not None:
        if len(token) > VALIDATION_TOKEN_MAX:
            return json_error(400, "validationToken is too long.")
        return HttpResponse(token, content_type="text/plain; charset=utf-8")
    if request.method != "POST":
        return json_error(405, "Graph POSTs notifications here.", "method_not_allowed")
    try:
        receive(request.body, lifecycle=lifecycle)
    except ValueError as exc:
        return json_error(400, f"Not a change notification: {exc}.")
    return HttpResponse(status=202)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def notifications(request):
    return _endpoint(request, lifecycle=False)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def lifecycle_notifications(request):
    return _endpoint(request, lifecycle=True)
