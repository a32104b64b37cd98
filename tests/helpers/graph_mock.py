"""Helpers for tests that mock Entra with the `responses` library (imported by tests only; no test deps here).

    with responses.RequestsMock() as rsps:
        mock_entra(rsps, endpoints, tenant_id, roles=["User.Read.All"])
        client = GraphClient(credentials, endpoints)
"""

from __future__ import annotations

import base64
import itertools
import json
import time

from integrations.graph.config import GraphEndpoints

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def fake_jwt(claims: dict, header: dict | None = None) -> str:
    """header.payload.signature with a meaningless signature: enough for code that only reads the payload."""
    header = header or {"typ": "JWT", "alg": "RS256", "kid": "fake-key-id"}
    signature = _b64url(b"not-a-real-signature-" + json.dumps(claims, sort_keys=True).encode()[:16])
    return ".".join([_b64url(json.dumps(header).encode()), _b64url(json.dumps(claims).encode()), signature])


def app_token_claims(tenant_id: str, client_id: str, roles: list[str] | None, audience: str) -> dict:
    now = int(time.time())
    claims = {
        "aud": audience, "iss": f"https://sts.windows.net/{tenant_id}/", "iat": now, "nbf": now, "exp": now + 3599,
        "app_displayname": "PBX Portal", "appid": client_id, "appidacr": "1", "idp": f"https://sts.windows.net/{tenant_id}/",
        "idtyp": "app", "oid": "4c1f6b0e-1d5e-4f8a-9b3c-2a1d0e9f8c7b", "sub": "4c1f6b0e-1d5e-4f8a-9b3c-2a1d0e9f8c7b",
        "tid": tenant_id, "ver": "1.0",
    }
    if roles is not None:
        claims["roles"] = list(roles)
    return claims


def openid_configuration(endpoints: GraphEndpoints, tenant_id: str) -> dict:
    base = endpoints.authority(tenant_id)
    return {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/v2.0",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": "graph.microsoft.com",
    }


def openid_configuration_url(endpoints: GraphEndpoints, tenant_id: str) -> str:
    return f"{endpoints.authority(tenant_id)}/v2.0/.well-known/openid-configuration"


def token_url(endpoints: GraphEndpoints, tenant_id: str) -> str:
    return f"{endpoints.authority(tenant_id)}/oauth2/v2.0/token"


def mock_entra(rsps, endpoints: GraphEndpoints, tenant_id: str, client_id: str = "client",
               roles: list[str] | None = ("User.Read.All",), expires_in: int = 3599) -> list[str]:
    """Register openid-configuration and a token endpoint issuing a new fake JWT per call.

    Returns the list the issued access tokens are appended to (so tests can assert on them)."""
    issued: list[str] = []
    counter = itertools.count(1)
    rsps.add("GET", openid_configuration_url(endpoints, tenant_id), json=openid_configuration(endpoints, tenant_id))

    def issue(request):
        claims = app_token_claims(tenant_id, client_id, None if roles is None else list(roles), endpoints.graph_url)
        claims["uti"] = f"token-{next(counter)}"
        token = fake_jwt(claims)
        issued.append(token)
        body = {"token_type": "Bearer", "expires_in": expires_in, "ext_expires_in": expires_in, "access_token": token}
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body)

    rsps.add_callback("POST", token_url(endpoints, tenant_id), callback=issue)
    return issued
