"""Bearer authentication of the UC Client API with the tokens from POST /api/uc/token.

    @uc_token_required
    def directory(request):            # request.uc_extension: the signed-in, active Extension
        ...                            # request.uc_grant: its UcGrant

A missing, unknown, expired or revoked token, a disabled extension or SSO switched off answer 401 JSON
({"error": "invalid_token", "error_description": ...}) with a WWW-Authenticate header (RFC 6750).
"""

from functools import wraps

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from sso.native import access_token_check


def bearer_token(request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def invalid_token(description: str) -> JsonResponse:
    response = JsonResponse({"error": "invalid_token", "error_description": description}, status=401)
    response["WWW-Authenticate"] = f'Bearer realm="uc", error="invalid_token", error_description="{description}"'
    response["Cache-Control"] = "no-store"
    return response


def uc_token_required(view):
    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = bearer_token(request)
        if not token:
            response = JsonResponse({"error": "invalid_request", "error_description": "a Bearer token is required"},
                                    status=401)
            response["WWW-Authenticate"] = 'Bearer realm="uc"'
            return response
        grant, problem = access_token_check(token)
        if grant is None:
            return invalid_token(problem)
        request.uc_grant = grant
        request.uc_extension = grant.extension
        return view(request, *args, **kwargs)

    return wrapper
