"""Entra authority: OIDC discovery, JWKS, instance discovery and the v2.0 token endpoint."""

import base64
import hashlib
import hmac
import json
import secrets
import time

from emulator import signin
from emulator.client_auth import authenticate_client, client_id_and_secret
from emulator.entra_errors import NO_CACHE, client_not_found, entra_error, missing_parameter, tenant_not_found
from emulator.tokens import GRAPH_APP_ID, GRAPH_RESOURCE, app_token_claims, id_token_claims, user_token_claims
from emulator.util import b64url
from emulator.web import json_response

MULTI_TENANT = ("common", "organizations")


def register(router) -> None:
    meta = {"kind": "authority"}
    router.add("GET", "/common/discovery/instance", instance_discovery, **meta)
    router.add("GET", "/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration, **meta)
    router.add("GET", "/{tenant}/.well-known/openid-configuration", openid_configuration, **meta)
    router.add("GET", "/{tenant}/discovery/v2.0/keys", keys, **meta)
    router.add("GET", "/{tenant}/discovery/keys", keys, **meta)
    router.add("POST", "/{tenant}/oauth2/v2.0/token", token, **meta)
    router.add("GET", "/{tenant}/oauth2/v2.0/authorize", signin.authorize_get, **meta)
    router.add("POST", "/{tenant}/oauth2/v2.0/authorize", signin.authorize_post, **meta)
    router.add("GET", "/{tenant}/oauth2/v2.0/logout", signin.logout, **meta)


def issuer(emu) -> str:
    return f"{emu.base_url}/{emu.state.tenant_id}/v2.0"


def token_endpoints(emu) -> tuple:
    state = emu.state
    return tuple(f"{emu.base_url}/{t}/oauth2/v2.0/token"
                 for t in (state.tenant_id, state.domain, state.onmicrosoft_domain, *MULTI_TENANT))


def known_tenant(emu, tenant: str) -> bool:
    return tenant.lower() in MULTI_TENANT or emu.state.is_tenant(tenant)


def instance_discovery(emu, req, params, claims=None):
    endpoint = req.query.get("authorization_endpoint", "")
    tenant = emu.state.tenant_id
    marker = "/oauth2/"
    if endpoint.startswith(emu.base_url) and marker in endpoint:
        tenant = endpoint[len(emu.base_url):].split(marker)[0].strip("/") or tenant
    host = emu.base_url.split("://", 1)[1]
    return json_response(200, {
        "tenant_discovery_endpoint": f"{emu.base_url}/{tenant}/v2.0/.well-known/openid-configuration",
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    })


def openid_configuration(emu, req, params, claims=None):
    tenant = params["tenant"]
    if not known_tenant(emu, tenant):
        return tenant_not_found(tenant, error="invalid_tenant")
    tid = emu.state.tenant_id
    base = f"{emu.base_url}/{tid}"
    iss = issuer(emu) if tenant.lower() not in MULTI_TENANT else f"{emu.base_url}/{{tenantid}}/v2.0"
    return json_response(200, {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": iss,
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{emu.base_url}/oidc/userinfo",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "http_logout_supported": True, "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                             "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
                             "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": f"{base}/kerberos", "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com", "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": emu.base_url.split("://", 1)[1], "rbac_url": "https://pas.windows.net",
    })


def keys(emu, req, params, claims=None):
    if not known_tenant(emu, params["tenant"]):
        return tenant_not_found(params["tenant"], error="invalid_tenant")
    return json_response(200, emu.signer.jwks(issuer(emu)))


def token(emu, req, params, claims=None):
    tenant = params["tenant"]
    if not known_tenant(emu, tenant):
        return tenant_not_found(tenant)
    form = req.form()
    grant = form.get("grant_type")
    if not grant:
        return missing_parameter("grant_type")
    if grant not in ("client_credentials", "authorization_code", "refresh_token"):
        return entra_error(400, "unsupported_grant_type", 70003,
                           f"The app requested an unsupported grant type '{grant}'.")
    client_id, secret = client_id_and_secret(req, form)
    if not client_id:
        return missing_parameter("client_id")
    with emu.state.lock:
        app = emu.state.app
        if client_id != app.client_id:
            return client_not_found(client_id, emu.state.domain)
        error, acr = authenticate_client(app, form, secret, grant, token_endpoints(emu))
        if error is not None:
            return error
        if grant == "client_credentials":
            return _client_credentials(emu, app, form, acr)
        if grant == "authorization_code":
            return _authorization_code(emu, app, form)
        return _refresh(emu, app, form)


def _token_response(payload: dict):
    return json_response(200, payload, NO_CACHE)


def _client_credentials(emu, app, form, acr):
    scope = (form.get("scope") or "").strip()
    if not scope:
        return missing_parameter("scope")
    if " " in scope or not scope.endswith("/.default"):
        return entra_error(400, "invalid_scope", 1002012,
                           f"The provided value for scope {scope} is not valid. Client credential flows must have a "
                           "scope value with /.default suffixed to the resource identifier (application ID URI).")
    resource = scope[: -len("/.default")].rstrip("/")
    # The emulator is the Graph resource at its own URL too (MICROSOFT_GRAPH_URL points here), like a national
    # cloud whose Graph resource id is its Graph URL.
    if resource == emu.base_url:
        resource = GRAPH_RESOURCE
    if resource not in (GRAPH_RESOURCE, GRAPH_APP_ID):
        return entra_error(400, "invalid_resource", 500011,
                           f"The resource principal named {resource} was not found in the tenant named "
                           f"{emu.state.domain}. This can happen if the application has not been installed by the "
                           "administrator of the tenant or consented to by any user in the tenant. You might have "
                           "sent your authentication request to the wrong tenant.")
    audience = GRAPH_APP_ID if resource == GRAPH_APP_ID else GRAPH_RESOURCE
    lifetime = emu.config.token_lifetime
    claims = app_token_claims(tenant_id=emu.state.tenant_id, app=app, audience=audience, lifetime=lifetime,
                              appidacr=acr)
    return _token_response({"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                            "access_token": emu.signer.sign(claims)})


def _authorization_code(emu, app, form):
    code = form.get("code")
    if not code:
        return missing_parameter("code")
    grant = emu.auth_codes.pop(code, None)
    if grant is None or grant["expires"] < time.time() or grant["client_id"] != app.client_id:
        return entra_error(400, "invalid_grant", 70008,
                           "The provided authorization code or refresh token has expired due to inactivity. Send a "
                           "new interactive authorization request for this user and resource.")
    if form.get("redirect_uri") != grant["redirect_uri"]:
        return entra_error(400, "invalid_grant", 500112,
                           f"The reply address '{form.get('redirect_uri')}' does not match the reply address "
                           f"'{grant['redirect_uri']}' provided when requesting Authorization code.")
    challenge = grant.get("code_challenge")
    if challenge:
        verifier = form.get("code_verifier") or ""
        if grant.get("code_challenge_method", "plain") == "S256":
            computed = b64url(hashlib.sha256(verifier.encode()).digest())
        else:
            computed = verifier
        if not verifier or not hmac.compare_digest(computed, challenge):
            return entra_error(400, "invalid_grant", 501481,
                               "The Code_Verifier does not match the code_challenge supplied in the authorization "
                               "request.")
    user = emu.state.users.get(grant["user_id"])
    if user is None or not user.get("accountEnabled", True):
        return entra_error(400, "invalid_grant", 50057, "The user account is disabled.")
    return _user_tokens(emu, app, user, grant["scope"], grant.get("nonce"))


def _refresh(emu, app, form):
    entry = emu.refresh_tokens.get(form.get("refresh_token") or "")
    user = emu.state.users.get(entry["user_id"]) if entry else None
    if entry is None or entry["client_id"] != app.client_id or user is None:
        return entra_error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    return _user_tokens(emu, app, user, entry["scope"], None)


def _user_tokens(emu, app, user, scope: str, nonce):
    requested = scope.split()
    oidc = {"openid", "profile", "email", "offline_access"}
    graph_scopes = [s.rsplit("/", 1)[-1] for s in requested if s not in oidc] or ["User.Read"]
    granted = sorted({"openid", "profile", "email"} | set(graph_scopes), key=str.lower)
    lifetime = emu.config.token_lifetime
    tid = emu.state.tenant_id
    access = user_token_claims(tenant_id=tid, app=app, user=user, scopes=granted, lifetime=lifetime)
    payload = {
        "token_type": "Bearer", "scope": " ".join(granted), "expires_in": lifetime, "ext_expires_in": lifetime,
        "access_token": emu.signer.sign(access),
        "id_token": emu.signer.sign(id_token_claims(issuer=issuer(emu), tenant_id=tid, client_id=app.client_id,
                                                    user=user, nonce=nonce)),
        "client_info": base64.urlsafe_b64encode(json.dumps({"uid": user["id"], "utid": tid}).encode())
        .decode().rstrip("="),
    }
    if "offline_access" in requested:
        refresh = secrets.token_urlsafe(48)
        emu.refresh_tokens[refresh] = {"user_id": user["id"], "client_id": app.client_id, "scope": scope}
        payload["refresh_token"] = refresh
    return _token_response(payload)
