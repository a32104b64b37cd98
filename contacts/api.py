"""Machine endpoints: caller-ID lookup for the PBX (organization API key)."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from contacts.selectors import caller_id_lookup
from extensions.models import Extension
from organizations.api_keys import api_key_required

MAX_NUMBER = 64


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": "bad_request", "message": message}, status=400)


@require_GET
@api_key_required
def lookup_view(request):
    """GET /api/pbx/lookup?number=<incoming number>[&extension=<called extension>]

    200 {"number", "e164", "found", "name", "company", "source", "extension"}; found=false when nobody matches.
    With `extension`, that user's own Outlook contacts are consulted first (and only then)."""
    number = request.GET.get("number", "").strip()
    if not number or len(number) > MAX_NUMBER or not any(c.isdigit() for c in number):
        return _bad_request('"number" must be a phone number (digits, optionally with + ( ) - . and spaces).')
    called = None
    called_number = request.GET.get("extension", "").strip()
    if called_number:
        called = Extension.objects.filter(organization=request.organization, number=called_number[:10]).first()
        if called is None:
            return JsonResponse({"error": "not_found", "message": f"No extension {called_number[:10]} in this "
                                                                  "organization."}, status=404)
    return JsonResponse(caller_id_lookup(organization=request.organization, number=number, called=called).as_dict())
