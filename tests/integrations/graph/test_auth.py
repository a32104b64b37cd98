"""App tokens through MSAL: discovery, caching, roles, and Entra's errors mapped to typed exceptions."""


import pytest
import requests
import responses

from integrations.graph import (
    AppCredentials,
    AuthenticationFailed,
    AuthorityError,
    GraphClient,
    GraphConnectionError,
    GraphEndpoints,
    UnexpectedResponse,
    decode_jwt_claims,
)
from tests.helpers.graph_mock import (
    fake_jwt,
    mock_entra,
    openid_configuration,
    openid_configuration_url,
    token_url,
)
from tests.helpers.graph_payloads import CLIENT, INSTANCE_DISCOVERY, SECRET, TENANT, load

MS = GraphEndpoints()
EMULATOR = GraphEndpoints(authority_host="https://127.0.0.1:8443", graph_url="https://127.0.0.1:8443")




def creds(**overrides):
    return AppCredentials(**{"tenant_id": TENANT, "client_id": CLIENT, "client_secret": SECRET, **overrides})


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_token_acquired_then_served_from_cache(rsps):
    issued = mock_entra(rsps, MS, TENANT, CLIENT, roles=["User.Read.All", "Presence.Read.All"])
    client = GraphClient(creds(), MS)

    first = client.acquire_app_token()
    second = client.acquire_app_token()

    assert first.access_token == second.access_token == issued[0]
    assert first.token_source == "identity_provider"
    assert second.token_source == "cache"
    assert first.roles == ("User.Read.All", "Presence.Read.All")
    assert first.tenant_id == TENANT
    assert rsps.assert_call_count(token_url(MS, TENANT), 1)
    assert rsps.assert_call_count(openid_configuration_url(MS, TENANT), 1)
    # login.microsoftonline.com is known to MSAL: no instance discovery on the happy path
    assert not [c for c in rsps.calls if c.request.url.startswith(INSTANCE_DISCOVERY)]
    token_request = next(c for c in rsps.calls if c.request.url == token_url(MS, TENANT)).request
    assert "scope=https%3A%2F%2Fgraph.microsoft.com%2F.default" in token_request.body
    assert "grant_type=client_credentials" in token_request.body


def test_construction_is_lazy_and_fetches_openid_configuration_once(rsps):
    mock_entra(rsps, MS, TENANT, CLIENT)
    client = GraphClient(creds(), MS)
    assert len(rsps.calls) == 0  # building the client does no HTTP
    client.acquire_app_token()
    assert [c.request.url for c in rsps.calls] == [openid_configuration_url(MS, TENANT), token_url(MS, TENANT)]


def test_token_without_roles_claim_gives_empty_roles(rsps):
    mock_entra(rsps, MS, TENANT, CLIENT, roles=None)
    assert GraphClient(creds(), MS).acquire_app_token().roles == ()


def test_clear_token_cache_forces_a_new_token(rsps):
    issued = mock_entra(rsps, MS, TENANT, CLIENT)
    # remove_tokens_for_client() looks up authority aliases (instance discovery is on for Microsoft hosts)
    rsps.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
    client = GraphClient(creds(), MS)
    client.acquire_app_token()
    client.clear_token_cache()
    token = client.acquire_app_token()
    assert token.access_token == issued[1]
    assert token.token_source == "identity_provider"
    assert rsps.assert_call_count(token_url(MS, TENANT), 2)


def test_clear_token_cache_survives_failing_instance_discovery(rsps):
    issued = mock_entra(rsps, MS, TENANT, CLIENT)
    rsps.add("GET", INSTANCE_DISCOVERY, status=503)
    client = GraphClient(creds(), MS)
    client.acquire_app_token()
    client.clear_token_cache()  # falls back to dropping the MSAL app
    assert client.acquire_app_token().access_token == issued[1]


@pytest.mark.parametrize(
    ("fixture", "status", "error", "code"),
    [
        ("entra_error_7000215.json", 401, "invalid_client", 7000215),
        ("entra_error_7000222.json", 401, "invalid_client", 7000222),
        ("entra_error_700016.json", 400, "unauthorized_client", 700016),
    ],
)
def test_entra_token_errors_mapped_with_aadsts_code(rsps, fixture, status, error, code):
    body = load(fixture)
    rsps.add("GET", openid_configuration_url(MS, TENANT), json=openid_configuration(MS, TENANT))
    rsps.add("POST", token_url(MS, TENANT), json=body, status=status)
    # After a failed token request MSAL (instance discovery on) looks up authority aliases
    rsps.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))

    with pytest.raises(AuthenticationFailed) as caught:
        GraphClient(creds(), MS).acquire_app_token()

    exc = caught.value
    assert (exc.error, exc.aadsts_code) == (error, code)
    assert exc.correlation_id == body["correlation_id"]
    assert exc.trace_id == body["trace_id"]
    assert exc.description.startswith(f"AADSTS{code}:")
    assert f"AADSTS{code}" in str(exc)
    assert SECRET not in str(exc) and SECRET not in repr(exc)
    assert len([c for c in rsps.calls if c.request.url.startswith(INSTANCE_DISCOVERY)]) == 1


def test_token_error_reported_even_if_alias_lookup_then_fails(rsps):
    rsps.add("GET", openid_configuration_url(MS, TENANT), json=openid_configuration(MS, TENANT))
    rsps.add("POST", token_url(MS, TENANT), json=load("entra_error_7000215.json"), status=401)
    rsps.add("GET", INSTANCE_DISCOVERY, body=requests.exceptions.ConnectionError("discovery down"))
    with pytest.raises(AuthenticationFailed) as caught:
        GraphClient(creds(), MS).acquire_app_token()
    assert caught.value.aadsts_code == 7000215


def test_unknown_tenant_at_openid_configuration_is_aadsts_90002(rsps):
    # MSAL fetches openid-configuration while constructing the app; Entra answers 400 with its error JSON,
    # which MSAL wraps in a ValueError without the body.
    rsps.add("GET", openid_configuration_url(MS, TENANT), json=load("entra_error_90002.json"), status=400)
    with pytest.raises(AuthenticationFailed) as caught:
        GraphClient(creds(), MS).acquire_app_token()
    assert caught.value.error == "invalid_tenant"
    assert caught.value.aadsts_code == 90002
    assert not [c for c in rsps.calls if c.request.method == "POST"]


def test_openid_configuration_404_without_entra_body_is_authority_error(rsps):
    rsps.add("GET", openid_configuration_url(EMULATOR, TENANT), body="<html>Not Found</html>", status=404)
    with pytest.raises(AuthorityError):
        GraphClient(creds(), EMULATOR).acquire_app_token()


def test_openid_configuration_5xx_is_authority_error(rsps):
    rsps.add("GET", openid_configuration_url(MS, TENANT), body="upstream error", status=502)
    with pytest.raises(AuthorityError) as caught:
        GraphClient(creds(), MS).acquire_app_token()
    assert caught.value.status == 502


def test_openid_configuration_not_json_is_authority_error(rsps):
    rsps.add("GET", openid_configuration_url(MS, TENANT), body="<html>captive portal</html>", status=200)
    with pytest.raises(AuthorityError):
        GraphClient(creds(), MS).acquire_app_token()


def test_failed_construction_is_retried_on_next_call(rsps):
    rsps.add("GET", openid_configuration_url(MS, TENANT), body="upstream error", status=502)
    client = GraphClient(creds(), MS)
    with pytest.raises(AuthorityError):
        client.acquire_app_token()
    rsps.replace("GET", openid_configuration_url(MS, TENANT), json=openid_configuration(MS, TENANT))
    rsps.add("POST", token_url(MS, TENANT), json={"token_type": "Bearer", "expires_in": 3599, "access_token": "a.b.c"})
    assert client.acquire_app_token().access_token == "a.b.c"


def test_token_endpoint_5xx_is_authentication_failed_without_code(rsps):
    rsps.add("GET", openid_configuration_url(MS, TENANT), json=openid_configuration(MS, TENANT))
    rsps.add("POST", token_url(MS, TENANT), body="Service Unavailable", status=503)
    with pytest.raises(AuthenticationFailed) as caught:
        GraphClient(creds(), MS).acquire_app_token()
    assert caught.value.error == "service_unavailable"
    assert caught.value.aadsts_code is None


def test_token_endpoint_non_json_200_is_unexpected_response(rsps):
    rsps.add("GET", openid_configuration_url(EMULATOR, TENANT), json=openid_configuration(EMULATOR, TENANT))
    rsps.add("POST", token_url(EMULATOR, TENANT), body="<html>proxy login</html>", status=200)
    with pytest.raises(UnexpectedResponse):
        GraphClient(creds(), EMULATOR).acquire_app_token()


@pytest.mark.parametrize(
    ("exception", "kind"),
    [
        (requests.exceptions.SSLError("certificate verify failed: self-signed certificate"), "tls"),
        (requests.exceptions.ConnectTimeout("timed out"), "timeout"),
        (requests.exceptions.ConnectionError("Name or service not known"), "network"),
    ],
)
def test_transport_failures_at_discovery_and_token(rsps, exception, kind):
    rsps.add("GET", openid_configuration_url(MS, TENANT), body=exception)
    with pytest.raises(GraphConnectionError) as caught:
        GraphClient(creds(), MS).acquire_app_token()
    assert caught.value.kind == kind
    assert caught.value.host == "login.microsoftonline.com"

    rsps.replace("GET", openid_configuration_url(MS, TENANT), json=openid_configuration(MS, TENANT))
    rsps.add("POST", token_url(MS, TENANT), body=exception)
    with pytest.raises(GraphConnectionError) as caught:
        GraphClient(creds(), MS).acquire_app_token()
    assert caught.value.kind == kind


def test_emulator_authority_skips_instance_discovery_and_uses_its_scope(rsps):
    issued = mock_entra(rsps, EMULATOR, TENANT, CLIENT)
    token = GraphClient(creds(), EMULATOR).acquire_app_token()
    assert token.access_token == issued[0]
    assert all(c.request.url.startswith("https://127.0.0.1:8443/") for c in rsps.calls)
    assert "scope=https%3A%2F%2F127.0.0.1%3A8443%2F.default" in rsps.calls[-1].request.body


def test_emulator_token_error_makes_no_discovery_call(rsps):
    rsps.add("GET", openid_configuration_url(EMULATOR, TENANT), json=openid_configuration(EMULATOR, TENANT))
    rsps.add("POST", token_url(EMULATOR, TENANT), json=load("entra_error_7000215.json"), status=401)
    with pytest.raises(AuthenticationFailed):
        GraphClient(creds(), EMULATOR).acquire_app_token()
    assert len(rsps.calls) == 2


def test_certificate_credential_sends_a_signed_client_assertion(rsps):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    mock_entra(rsps, MS, TENANT, CLIENT)
    credentials = AppCredentials(TENANT, CLIENT, certificate_private_key=pem, certificate_thumbprint="A1B2C3D4E5F6" * 3)
    assert GraphClient(credentials, MS).acquire_app_token().roles == ("User.Read.All",)
    body = rsps.calls[-1].request.body
    assert "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer" in body
    assert "client_secret" not in body
    assert "PRIVATE KEY" not in repr(credentials)


def test_decode_jwt_claims_reads_payload_and_tolerates_garbage():
    assert decode_jwt_claims(fake_jwt({"roles": ["Contacts.Read"], "tid": TENANT}))["roles"] == ["Contacts.Read"]
    assert decode_jwt_claims("not-a-jwt") == {}
    assert decode_jwt_claims("a.!!!.c") == {}
