"""The UC Client API: token endpoint, revocation, the signed-in extension, and the OpenAPI description."""

import json
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from pbx_portal import ratelimit
from pbx_portal.http import client_ip
from sso.api_auth import uc_token_required
from sso.native import TokenError, code_redeem, grant_refresh, grant_revoke
from sso.secrets import token_hash

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.yaml"


def _oauth_error(error: str, description: str, status: int = 400, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _params(request) -> dict:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return {k: v for k, v in body.items() if isinstance(v, str)} if isinstance(body, dict) else {}
    return request.POST.dict()


@csrf_exempt  # no cookies: the app authenticates with the code + PKCE verifier or its refresh token
@require_POST
def token_view(request):
    limits = settings.UC_TOKEN_RATE_LIMIT
    if ratelimit.hit("uc-token-ip", client_ip(request) or "-", limit=limits["ip"], window=limits["window"]):
        return _oauth_error("slow_down", "too many token requests from this address", 429, limits["window"])
    params = _params(request)
    grant_type = params.get("grant_type", "")
    credential = params.get("code") or params.get("refresh_token") or ""
    if credential and ratelimit.hit("uc-token-account", token_hash(credential), limit=limits["account"],
                                    window=limits["window"]):
        return _oauth_error("slow_down", "too many attempts with this code or token", 429, limits["window"])
    try:
        if grant_type == "authorization_code":
            missing = [name for name in ("code", "code_verifier", "redirect_uri") if not params.get(name)]
            if missing:
                raise TokenError("invalid_request", f"missing: {', '.join(missing)}")
            issued = code_redeem(code=params["code"], code_verifier=params["code_verifier"],
                                 redirect_uri=params["redirect_uri"])
        elif grant_type == "refresh_token":
            if not params.get("refresh_token"):
                raise TokenError("invalid_request", "missing: refresh_token")
            issued = grant_refresh(refresh_token=params["refresh_token"])
        else:
            raise TokenError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
    except TokenError as exc:
        return _oauth_error(exc.error, exc.description, exc.status)
    response = JsonResponse({**issued.as_json(), "extension": extension_json(issued.grant.extension)})
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def revoke_view(request):
    """RFC 7009: revoke an access or refresh token (its whole grant). Always 200, known token or not."""
    limits = settings.UC_TOKEN_RATE_LIMIT
    if ratelimit.hit("uc-token-ip", client_ip(request) or "-", limit=limits["ip"], window=limits["window"]):
        return _oauth_error("slow_down", "too many token requests from this address", 429, limits["window"])
    grant_revoke(token=_params(request).get("token", ""))
    return JsonResponse({})


def extension_json(extension) -> dict:
    return {"number": extension.number, "display_name": extension.display_name, "email": extension.email,
            "organization": extension.organization.name}


@require_GET
@uc_token_required
def me_view(request):
    return JsonResponse(extension_json(request.uc_extension))


@require_GET
def openapi_view(request):
    return HttpResponse(OPENAPI_PATH.read_text(encoding="utf-8"), content_type="application/yaml; charset=utf-8")
