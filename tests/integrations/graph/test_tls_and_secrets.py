"""TLS trust pinned per request (despite REQUESTS_CA_BUNDLE), and no secret or token in logs or exceptions.

Uses a tiny real HTTPS server (trustme CA) on 127.0.0.1 so MSAL, requests and urllib3 run for real.
"""

import json
import logging
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
import responses
import trustme

from integrations.graph import (
    AppCredentials,
    AuthenticationFailed,
    GraphClient,
    GraphConnectionError,
    GraphEndpoints,
    PermissionDenied,
)
from integrations.graph.http import build_session
from tests.helpers.graph_mock import app_token_claims, fake_jwt, mock_entra, openid_configuration
from tests.helpers.graph_payloads import CLIENT, SECRET, TENANT

SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


class _Handler(BaseHTTPRequestHandler):
    tokens: list  # set per server

    def log_message(self, *args):
        pass

    def _send(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        endpoints = self.server.endpoints
        if self.path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            return self._send(200, openid_configuration(endpoints, TENANT))
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            return self._send(401, {"error": {"code": "InvalidAuthenticationToken", "message": "no token"}})
        if self.path.startswith("/v1.0/dropped"):  # the connection drops mid-body
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b'{"value": [{"id": "u1"')
            self.wfile.flush()
            self.close_connection = True
            return None
        if self.path.startswith("/v1.0/users"):
            return self._send(200, {"value": [{"id": "u1", "displayName": "Adele Vance"}]})
        inner = {"date": "2025-03-11T09:31:02", "request-id": "rid-403", "client-request-id": "rid-403"}
        return self._send(403, {"error": {"code": "Authorization_RequestDenied",
                                          "message": "Insufficient privileges to complete the operation.",
                                          "innerError": inner}}, {"request-id": "rid-403"})

    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if form.get("client_secret") != [SECRET]:
            return self._send(401, {"error": "invalid_client", "error_codes": [7000215],
                                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                                    "trace_id": "t-1", "correlation_id": "c-1"})
        token = fake_jwt(app_token_claims(TENANT, CLIENT, ["User.Read.All"], self.server.endpoints.graph_url))
        self.server.tokens.append(token)
        return self._send(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def server(ca, tmp_path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    base = f"https://127.0.0.1:{httpd.server_address[1]}"
    ca_path = tmp_path / "emulator-ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    httpd.endpoints = GraphEndpoints(authority_host=base, graph_url=base, ca_bundle=str(ca_path), timeout=5)
    httpd.tokens = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def system_bundle_in_env(monkeypatch):
    # As on production machines: REQUESTS_CA_BUNDLE points at the system CAs, which do not include the emulator's.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", SYSTEM_BUNDLE)


def test_private_ca_is_trusted_for_msal_and_graph_despite_requests_ca_bundle(server):
    client = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), server.endpoints)
    assert client.acquire_app_token().roles == ("User.Read.All",)
    assert client.get("/users")["value"][0]["displayName"] == "Adele Vance"


def test_connection_dropped_mid_body_is_a_network_error(server):
    client = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), server.endpoints)
    with pytest.raises(GraphConnectionError) as caught:
        client.get("/dropped")
    assert caught.value.kind == "network"
    assert "ChunkedEncodingError" in str(caught.value)


def test_plain_session_verify_is_overridden_by_the_environment(server):
    # Why the session injects verify= per request: requests prefers REQUESTS_CA_BUNDLE over Session.verify.
    session = requests.Session()
    session.verify = server.endpoints.ca_bundle
    with pytest.raises(requests.exceptions.SSLError):
        session.get(f"{server.endpoints.authority_host}/{TENANT}/v2.0/.well-known/openid-configuration", timeout=5)


def test_without_ca_bundle_the_emulator_is_not_trusted(server):
    endpoints = GraphEndpoints(authority_host=server.endpoints.authority_host, graph_url=server.endpoints.graph_url)
    with pytest.raises(GraphConnectionError) as caught:
        GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), endpoints).acquire_app_token()
    assert caught.value.kind == "tls"
    assert caught.value.host.startswith("127.0.0.1:")


def test_every_request_carries_verify_and_timeout():
    endpoints = GraphEndpoints(ca_bundle="/srv/pbx/emulator-ca.pem", timeout=12.5)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_entra(rsps, endpoints, TENANT, CLIENT)
        rsps.add("GET", "https://graph.microsoft.com/v1.0/users", json={"value": []})
        GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), endpoints).get("/users")
        assert len(rsps.calls) == 3  # openid-configuration and token (by MSAL), then Graph
        for call in rsps.calls:
            assert call.request.req_kwargs["verify"] == "/srv/pbx/emulator-ca.pem"
            assert call.request.req_kwargs["timeout"] == 12.5


def test_without_ca_bundle_verification_stays_on_and_explicit_false_is_ignored():
    session = build_session(GraphEndpoints(timeout=3))
    with responses.RequestsMock() as rsps:
        rsps.add("GET", "https://graph.microsoft.com/v1.0/x", json={})
        session.get("https://graph.microsoft.com/v1.0/x", verify=False, timeout=9)
        kwargs = rsps.calls[0].request.req_kwargs
        assert kwargs["verify"] == SYSTEM_BUNDLE  # requests' default: the environment's bundle, never False
        assert kwargs["timeout"] == 9


def test_no_secret_or_token_in_logs_or_exceptions(server, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "msal", "integrations", "requests"):
        caplog.set_level(logging.DEBUG, logger=name)
    good = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), server.endpoints)
    good.acquire_app_token()
    good.get("/users")
    with pytest.raises(PermissionDenied) as denied:
        good.get("/groups")
    wrong_secret = "Zz~9Q~WrongSecretValue.abcdefghijklmnop"
    bad = GraphClient(AppCredentials(TENANT, CLIENT, client_secret=wrong_secret), server.endpoints)
    with pytest.raises(AuthenticationFailed) as refused:
        bad.acquire_app_token()

    assert server.tokens, "a token was issued"
    assert "rid-403" in caplog.text  # Graph's request-id is logged on errors
    assert any(r.name.startswith("urllib3") for r in caplog.records)  # the transport did log at DEBUG
    texts = [caplog.text, str(denied.value), repr(denied.value), str(refused.value), repr(refused.value),
             repr(good), repr(good.credentials), repr(good.acquire_app_token()), str(good.acquire_app_token())]
    for text in texts:
        for secret in (SECRET, wrong_secret, *server.tokens):
            assert secret not in text
        for token in server.tokens:
            assert token.split(".")[1] not in text  # not even the payload
        assert "Bearer ey" not in text
