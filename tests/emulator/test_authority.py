import jwt
import pytest


def test_openid_configuration_points_at_the_emulator(emulator, http):
    for tenant in (emulator.tenant_id, emulator.tenant["tenant_domain"]):
        cfg = http.get(f"{emulator.base_url}/{tenant}/v2.0/.well-known/openid-configuration").json()
        assert cfg["issuer"] == f"{emulator.base_url}/{emulator.tenant_id}/v2.0"
        assert cfg["token_endpoint"] == emulator.token_url
        assert cfg["authorization_endpoint"] == f"{emulator.authority}/oauth2/v2.0/authorize"
        assert cfg["jwks_uri"] == f"{emulator.authority}/discovery/v2.0/keys"


def test_unknown_tenant_discovery_is_aadsts90002(emulator, http):
    resp = http.get(f"{emulator.base_url}/not-a-tenant/v2.0/.well-known/openid-configuration")
    assert resp.status_code == 400
    body = resp.json()
    assert body["error"] == "invalid_tenant" and body["error_codes"] == [90002]


def test_instance_discovery_as_msal_requests_it(emulator, http):
    endpoint = f"{emulator.authority}/oauth2/v2.0/authorize"
    resp = http.get(f"{emulator.base_url}/common/discovery/instance",
                    params={"api-version": "1.1", "authorization_endpoint": endpoint})
    body = resp.json()
    assert body["tenant_discovery_endpoint"] == f"{emulator.authority}/v2.0/.well-known/openid-configuration"
    assert body["metadata"][0]["aliases"]


def test_app_token_signature_verifies_against_jwks(emulator_clean, http):
    emu = emulator_clean
    token = emu.app_token()
    jwks = http.get(f"{emu.authority}/discovery/v2.0/keys").json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="https://graph.microsoft.com")
    assert claims["iss"] == f"https://sts.windows.net/{emu.tenant_id}/"
    assert claims["tid"] == emu.tenant_id and claims["appid"] == emu.client_id
    assert sorted(claims["roles"]) == sorted(emu.tenant["app"]["permissions"])
    assert claims["idtyp"] == "app"


def _token(emu, http, **overrides):
    data = {"grant_type": "client_credentials", "client_id": emu.client_id, "client_secret": emu.client_secret,
            "scope": "https://graph.microsoft.com/.default", **overrides}
    tenant = data.pop("tenant", emu.tenant_id)
    return http.post(f"{emu.base_url}/{tenant}/oauth2/v2.0/token", data=data)


@pytest.mark.parametrize("overrides,status,error,code", [
    ({"client_secret": "wrong"}, 401, "invalid_client", 7000215),
    ({"client_id": "11111111-2222-3333-4444-555555555555"}, 400, "unauthorized_client", 700016),
    ({"tenant": "00000000-1111-2222-3333-444444444444"}, 400, "invalid_request", 90002),
    ({"scope": "https://graph.microsoft.com/User.Read.All"}, 400, "invalid_scope", 1002012),
    ({"client_secret": ""}, 401, "invalid_client", 7000216),
])
def test_token_errors_use_entra_json(emulator_clean, http, overrides, status, error, code):
    resp = _token(emulator_clean, http, **overrides)
    assert resp.status_code == status
    body = resp.json()
    assert body["error"] == error and body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert "Trace ID:" in body["error_description"] and body["trace_id"] and body["correlation_id"]
    assert body["error_uri"].endswith(f"code={code}")


def test_expired_secret_is_aadsts7000222(emulator_clean, http):
    emulator_clean.control("POST", "/_emulator/app/secret", json={"action": "expire"})
    body = _token(emulator_clean, http).json()
    assert body["error"] == "invalid_client" and body["error_codes"] == [7000222]


def test_domain_name_works_as_tenant_segment(emulator_clean, http):
    resp = _token(emulator_clean, http, tenant=emulator_clean.tenant["tenant_domain"])
    assert resp.status_code == 200 and resp.json()["token_type"] == "Bearer"


def test_client_secret_basic_auth(emulator_clean, http):
    emu = emulator_clean
    resp = http.post(emu.token_url, auth=(emu.client_id, emu.client_secret),
                     data={"grant_type": "client_credentials", "scope": "https://graph.microsoft.com/.default"})
    assert resp.status_code == 200


def test_no_permissions_means_no_roles_claim_and_graph_401(emulator_clean):
    emu = emulator_clean
    emu.control("POST", "/_emulator/app/permissions", json={"permissions": []})
    token = emu.app_token()
    assert "roles" not in jwt.decode(token, options={"verify_signature": False})
    resp = emu.graph("GET", "users", token=token)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert resp.json()["error"]["message"] == "Either scp or roles claim need to be present in the token."


def test_revoking_affects_only_new_tokens(emulator_clean):
    emu = emulator_clean
    old = emu.app_token()
    emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["User.Read.All"]})
    new = emu.app_token()
    assert emu.graph("GET", "users?$top=1", token=old).status_code == 200
    denied = emu.graph("GET", "users?$top=1", token=new)
    assert denied.status_code == 403
    err = denied.json()["error"]
    assert err["code"] == "Authorization_RequestDenied"
    assert err["message"] == "Insufficient privileges to complete the operation."
    assert set(err["innerError"]) == {"date", "request-id", "client-request-id"}
    assert denied.headers["request-id"] == err["innerError"]["request-id"]


def test_graph_rejects_missing_and_forged_tokens(emulator_clean, http):
    emu = emulator_clean
    resp = http.get(f"{emu.graph_url}/users")
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "InvalidAuthenticationToken"
    forged = jwt.encode({"aud": "https://graph.microsoft.com", "tid": emu.tenant_id, "roles": ["User.Read.All"],
                         "exp": 9999999999, "iat": 1}, "x" * 32, algorithm="HS256")
    assert emu.graph("GET", "users", token=forged).status_code == 401
