import datetime as dt

import jwt
import msal
import trustme
from cryptography.hazmat.primitives import hashes, serialization

from tests.helpers.emulator import TrustingSession

SCOPES = ["https://graph.microsoft.com/.default"]


def test_msal_gets_an_app_token_with_roles(emulator_clean, make_msal_app):
    app = make_msal_app()
    result = app.acquire_token_for_client(scopes=SCOPES)
    assert "access_token" in result, result
    assert result["token_type"] == "Bearer" and result["token_source"] == "identity_provider"
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert set(claims["roles"]) == set(emulator_clean.tenant["app"]["permissions"])
    assert app.acquire_token_for_client(scopes=SCOPES)["token_source"] == "cache"


def test_msal_with_instance_discovery_against_the_emulator(emulator_clean, make_msal_app):
    app = make_msal_app(instance_discovery=f"{emulator_clean.base_url}/common/discovery/instance")
    assert "access_token" in app.acquire_token_for_client(scopes=SCOPES)
    counts = emulator_clean.request_counts()["by_route"]
    assert counts["GET /common/discovery/instance"] == 1


def test_msal_wrong_secret_returns_7000215(emulator_clean, make_msal_app):
    result = make_msal_app(credential="not-the-secret").acquire_token_for_client(scopes=SCOPES)
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [7000215]
    assert result["trace_id"] and result["correlation_id"]


def test_msal_expired_secret_returns_7000222(emulator_clean, make_msal_app):
    emulator_clean.control("POST", "/_emulator/app/secret", json={"action": "expire"})
    result = make_msal_app().acquire_token_for_client(scopes=SCOPES)
    assert result["error"] == "invalid_client" and result["error_codes"] == [7000222]


def test_msal_after_secret_rotation(emulator_clean, make_msal_app):
    rotated = emulator_clean.control("POST", "/_emulator/app/secret", json={"action": "rotate", "remove_old": True})
    assert make_msal_app().acquire_token_for_client(scopes=SCOPES)["error_codes"] == [7000215]
    assert "access_token" in make_msal_app(credential=rotated["client_secret"]).acquire_token_for_client(SCOPES)


def test_msal_unknown_client_returns_700016(emulator_clean, make_msal_app):
    app = make_msal_app(client_id="8c7a2b7e-0000-4000-8000-000000000001")
    result = app.acquire_token_for_client(scopes=SCOPES)
    assert result["error"] == "unauthorized_client" and result["error_codes"] == [700016]


def test_msal_unknown_tenant_raises_value_error(emulator_clean):
    session = TrustingSession(emulator_clean.ca_path)
    try:
        msal.ConfidentialClientApplication(
            emulator_clean.client_id, client_credential=emulator_clean.client_secret,
            authority=f"{emulator_clean.base_url}/11111111-1111-4111-8111-111111111111", http_client=session,
            instance_discovery=False)
    except ValueError as exc:
        assert "90002" in str(exc.__context__)  # MSAL wraps the discovery error
    else:
        raise AssertionError("MSAL accepted an unknown tenant")
    finally:
        session.close()


def _certificate():
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    cert = ca.issue_cert("pbx-portal.example", key_type=trustme.KeyType.RSA)
    cert_pem = cert.cert_chain_pems[0].bytes().decode()
    key_pem = cert.private_key_pem.bytes().decode()
    from cryptography import x509
    thumb = x509.load_pem_x509_certificate(cert_pem.encode()).fingerprint(hashes.SHA1()).hex()
    return cert_pem, key_pem, thumb


def test_msal_certificate_credential(emulator_clean, make_msal_app):
    cert_pem, key_pem, thumb = _certificate()
    registered = emulator_clean.control("POST", "/_emulator/app/certificates", json={"pem": cert_pem})
    assert registered["thumbprint"].lower() == thumb
    for credential in ({"private_key": key_pem, "thumbprint": thumb},  # x5t (SHA-1), RS256
                       {"private_key": key_pem, "public_certificate": cert_pem}):  # x5t#S256, PS256
        result = make_msal_app(credential=credential).acquire_token_for_client(scopes=SCOPES)
        assert "access_token" in result, result
        assert jwt.decode(result["access_token"], options={"verify_signature": False})["appidacr"] == "2"


def test_msal_certificate_with_wrong_key_is_700027(emulator_clean, make_msal_app):
    cert_pem, _, thumb = _certificate()
    _, other_key, _ = _certificate()
    emulator_clean.control("POST", "/_emulator/app/certificates", json={"pem": cert_pem})
    result = make_msal_app(credential={"private_key": other_key, "thumbprint": thumb}).acquire_token_for_client(SCOPES)
    assert result["error"] == "invalid_client" and result["error_codes"] == [700027]


def test_msal_unregistered_certificate_is_700027(emulator_clean, make_msal_app):
    _, key_pem, thumb = _certificate()
    result = make_msal_app(credential={"private_key": key_pem, "thumbprint": thumb}).acquire_token_for_client(SCOPES)
    assert result["error_codes"] == [700027]


def test_secret_expiry_visible_through_applications(emulator_clean):
    emu = emulator_clean
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    emu.control("POST", "/_emulator/app/secret", json={"action": "set_expiry", "end": end})
    resp = emu.graph("GET", f"applications(appId='{emu.client_id}')?$select=passwordCredentials,keyCredentials")
    assert resp.status_code == 200, resp.text
    creds = resp.json()["passwordCredentials"]
    assert creds[0]["endDateTime"] == end
    assert creds[0]["hint"] == emu.client_secret[:3] and creds[0]["secretText"] is None
    assert set(creds[0]) == {"customKeyIdentifier", "displayName", "endDateTime", "hint", "keyId", "secretText",
                             "startDateTime"}
    assert resp.json()["keyCredentials"] == []


_ = serialization  # keep import for readers who extend the certificate helpers
