"""Machine endpoints: caller-ID lookup for the PBX (organization API key), directory for the UC Client (token)."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from contacts.selectors import caller_id_lookup, directory_presence_attach, directory_search
from extensions.models import Extension
from organizations.api_keys import api_key_required
from organizations.models import ApiScope
from pbx_portal.http import json_error
from sso.api_auth import uc_token_required
from sso.uc_session import uc_extension_of

MAX_PAGE = 1000


def _page(request) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) >= 1 else 1


@require_GET
@uc_token_required
def uc_directory_api_view(request):
    """GET /api/uc/directory?q=&page=: extensions, company contacts and the caller's own contacts, ranked;
    extensions carry their Teams presence ({"state", "label", "since", "availability", "activity"} or null)."""
    extension = request.uc_extension
    page = directory_search(organization=extension.organization, extension=extension,
                            query=request.GET.get("q", ""), page=_page(request))
    return JsonResponse(directory_presence_attach(page).as_dict())


@require_GET
def uc_directory_view(request):
    """/uc/directory/?q=: the web UC Client's directory (UC session from /uc/login/)."""
    extension = uc_extension_of(request)
    if extension is None:
        return redirect("uc:login")
    query = request.GET.get("q", "")
    page = directory_presence_attach(directory_search(organization=extension.organization, extension=extension,
                                                      query=query, page=_page(request)))
    return render(request, "contacts/uc_directory.html", {"extension": extension, "page": page, "query": query})

MAX_NUMBER = 64


@require_GET
@api_key_required(scope=ApiScope.CALLER_ID)
def lookup_view(request):
    """GET /api/pbx/lookup?number=<incoming number>[&extension=<called extension>]

    200 {"number", "e164", "found", "name", "company", "source", "extension", "personal_contacts_checked"};
    found=false when nobody matches. With `extension` and a key with the caller-id-personal scope, that user's own
    Outlook contacts are consulted first (and only theirs); without that scope they are never read."""
    number = request.GET.get("number", "").strip()
    if not number or len(number) > MAX_NUMBER or not any(c.isdigit() for c in number):
        return json_error(400, '"number" must be a phone number (digits, optionally with + ( ) - . and spaces).')
    called = None
    called_number = request.GET.get("extension", "").strip()
    if called_number:
        called = Extension.objects.filter(organization=request.organization, number=called_number[:10]).first()
        if called is None:
            return json_error(404, f"No extension {called_number[:10]} in this organization.")
    personal = called is not None and request.api_key.allows(ApiScope.CALLER_ID_PERSONAL)
    match = caller_id_lookup(organization=request.organization, number=number, called=called if personal else None)
    return JsonResponse({**match.as_dict(), "personal_contacts_checked": personal})
