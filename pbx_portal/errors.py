"""Error answers: a database that is down or hung is a 503 with its own page (not "Something went wrong"), and the
JSON APIs (/api/) answer every error as JSON, never with an HTML page.

    handler500 = "pbx_portal.errors.server_error"      (pbx_portal/urls.py)
    "pbx_portal.errors.ApiErrorsAsJsonMiddleware"       (first in MIDDLEWARE: it sees every answer)
    "pbx_portal.errors.FormOnlyPageMiddleware"          (after the session, auth and messages middleware)
"""

import logging
import sys

from django import db
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve
from django.views import defaults

from pbx_portal.input_guard import api_error, is_api

logger = logging.getLogger(__name__)

DATABASE_RETRY_AFTER = 30
UNAVAILABLE_ERRORS = (db.OperationalError, db.InterfaceError)  # down, hung, timed out, connection lost
API_ERRORS = {
    400: ("bad_request", "The request is not valid."),
    401: ("unauthorized", "Authentication is required."),
    403: ("forbidden", "This request is not allowed."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The request is too large."),
    429: ("rate_limited", "Too many requests: slow down."),
    500: ("server_error", "The portal could not complete this request; the error was logged."),
    503: ("unavailable", "The portal's database did not answer in time. Try again shortly."),
}


def server_error(request):
    """handler500. Rendered without the request context, so it touches neither the database nor the session."""
    exception = sys.exc_info()[1]
    if not isinstance(exception, UNAVAILABLE_ERRORS):
        return defaults.server_error(request)
    logger.error("Database unavailable while serving %s: %s", request.path, exception)
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


class ApiErrorsAsJsonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not is_api(request) or \
                response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = API_ERRORS.get(response.status_code, ("error", "The request failed."))
        answer = api_error(request, response.status_code, message, code=code)
        for header in ("Retry-After", "Allow", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer


class FormOnlyPageMiddleware:
    """A browser that opens an address which only takes a form (Save, Create...), by a reload, the back button or a
    bookmark, got Django's empty 405 answer: a blank page. It gets a page that says so and leads back instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or request.method != "GET" or response.content or is_api(request) or \
                "text/html" not in request.headers.get("Accept", ""):
            return response
        answer = render(request, "405.html", {"back_url": _page_above(request.path)}, status=405)
        if "Allow" in response:
            answer["Allow"] = response["Allow"]
        return answer


def _page_above(path: str) -> str | None:
    """The nearest address above `path` that is a page (/integrations/collaboration/contacts/ -> .../collaboration/)."""
    parts = path.strip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/" + "/".join(parts) + "/"
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return None
