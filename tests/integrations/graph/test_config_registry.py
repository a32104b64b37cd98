"""Plain configuration values, and the per-process client registry."""

import os
import threading
from urllib.parse import quote_plus

import pytest
import responses

from integrations.graph import (
    AppCredentials,
    GraphEndpoints,
    clear_clients,
    forget_client,
    get_client,
    signin_client_for,
)
from tests.helpers.graph_mock import mock_entra, token_url
from tests.helpers.graph_payloads import CLIENT, SECRET, TENANT

EMULATOR = GraphEndpoints(authority_host="https://127.0.0.1:8443", graph_url="https://127.0.0.1:8443/")


@pytest.fixture(autouse=True)
def empty_registry():
    clear_clients()
    yield
    clear_clients()


def test_endpoint_urls():
    ms = GraphEndpoints()
    assert ms.graph_base == "https://graph.microsoft.com/v1.0"
    assert ms.scope == "https://graph.microsoft.com/.default"
    assert ms.authority(TENANT) == f"https://login.microsoftonline.com/{TENANT}"
    assert EMULATOR.graph_base == "https://127.0.0.1:8443/v1.0"
    assert EMULATOR.scope == "https://127.0.0.1:8443/.default"


@pytest.mark.parametrize("bad", [{"graph_url": "http://graph.microsoft.com"}, {"authority_host": "login"},
                                 {"timeout": 0}, {"max_retries": -1}])
def test_endpoints_validation(bad):
    with pytest.raises(ValueError):
        GraphEndpoints(**bad)


def test_credentials_repr_never_shows_secret_or_key():
    secret = AppCredentials(TENANT, CLIENT, client_secret=SECRET)
    cert = AppCredentials(TENANT, CLIENT, certificate_private_key="-----BEGIN PRIVATE KEY-----\nMIIEvQ\n",
                          certificate_thumbprint="ABCDEF", certificate_pem="-----BEGIN CERTIFICATE-----\nMIIC\n")
    for text in (repr(secret), str(secret), f"{secret}", repr(cert), str([cert])):
        assert SECRET not in text
        assert "PRIVATE KEY" not in text and "MIIEvQ" not in text
    assert "client_secret='***'" in repr(secret)
    assert cert.msal_credential() == {"private_key": cert.certificate_private_key, "thumbprint": "ABCDEF",
                                      "public_certificate": cert.certificate_pem}
    assert secret.msal_credential() == SECRET


def test_fingerprint_covers_every_field():
    base = AppCredentials(TENANT, CLIENT, client_secret=SECRET)
    assert base.fingerprint() == AppCredentials(TENANT, CLIENT, client_secret=SECRET).fingerprint()
    assert base.fingerprint() != AppCredentials(TENANT, CLIENT, client_secret=SECRET + "x").fingerprint()
    assert SECRET not in base.fingerprint()
    cert = AppCredentials(TENANT, CLIENT, certificate_private_key="k", certificate_thumbprint="A")
    assert cert.fingerprint() != AppCredentials(TENANT, CLIENT, certificate_private_key="k",
                                                certificate_thumbprint="B").fingerprint()


@pytest.mark.parametrize(
    "fields",
    [
        {"tenant_id": "contoso.onmicrosoft.com/../common", "client_id": CLIENT, "client_secret": "s"},
        {"tenant_id": "", "client_id": CLIENT, "client_secret": "s"},
        {"tenant_id": TENANT, "client_id": "a b", "client_secret": "s"},
        {"tenant_id": TENANT, "client_id": CLIENT},
        {"tenant_id": TENANT, "client_id": CLIENT, "client_secret": "s", "certificate_private_key": "k"},
        {"tenant_id": TENANT, "client_id": CLIENT, "certificate_private_key": "k"},
    ],
)
def test_credentials_validation(fields):
    with pytest.raises(ValueError) as caught:
        AppCredentials(**fields)
    assert "s3cret" not in str(caught.value)


def test_get_client_is_cached_per_connection():
    creds = AppCredentials(TENANT, CLIENT, client_secret=SECRET)
    client = get_client(creds, EMULATOR)
    assert get_client(AppCredentials(TENANT, CLIENT, client_secret=SECRET), EMULATOR) is client
    assert get_client(creds, GraphEndpoints()) is not client  # other endpoints, other connection
    assert get_client(AppCredentials(TENANT, "other-client", client_secret=SECRET), EMULATOR) is not client


def test_changed_secret_gives_a_new_msal_app_and_token():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        issued = mock_entra(rsps, EMULATOR, TENANT, CLIENT)
        old = get_client(AppCredentials(TENANT, CLIENT, client_secret=SECRET), EMULATOR)
        old.acquire_app_token()
        old_app = old.tokens.app

        new = get_client(AppCredentials(TENANT, CLIENT, client_secret="rotated-" + SECRET), EMULATOR)
        token = new.acquire_app_token()

        assert new is not old
        assert new.tokens.app is not old_app
        assert token.access_token == issued[1]
        assert token.token_source == "identity_provider"
        assert rsps.assert_call_count(token_url(EMULATOR, TENANT), 2)
        assert f"client_secret={quote_plus('rotated-' + SECRET)}" in rsps.calls[-1].request.body


def test_forget_client_drops_every_endpoint_variant():
    creds = AppCredentials(TENANT, CLIENT, client_secret=SECRET)
    first = get_client(creds, EMULATOR)
    get_client(creds, GraphEndpoints())
    get_client(AppCredentials(TENANT, "someone-else", client_secret=SECRET), EMULATOR)
    assert forget_client(TENANT, CLIENT) == 2
    assert get_client(creds, EMULATOR) is not first
    assert forget_client("unknown-tenant", CLIENT) == 0


def test_get_client_is_thread_safe():
    creds = AppCredentials(TENANT, CLIENT, client_secret=SECRET)
    seen, barrier = [], threading.Barrier(8)

    def worker():
        barrier.wait()
        seen.append(get_client(creds, EMULATOR))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 1


def test_sign_in_clients_are_cached_alike_and_a_forked_child_starts_with_no_client():
    creds = AppCredentials(TENANT, CLIENT, client_secret=SECRET)
    graph, signin = get_client(creds, EMULATOR), signin_client_for(creds, EMULATOR)
    assert signin_client_for(AppCredentials(TENANT, CLIENT, client_secret=SECRET), EMULATOR) is signin
    assert signin_client_for(AppCredentials(TENANT, CLIENT, client_secret="rotated-" + SECRET), EMULATOR) \
        is not signin
    signin = signin_client_for(creds, EMULATOR)
    pid = os.fork()
    if pid == 0:  # the child (a Celery prefork worker) must not reuse the parent's clients and their sockets
        os._exit(0 if get_client(creds, EMULATOR) is not graph and signin_client_for(creds, EMULATOR) is not signin
                 else 1)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert get_client(creds, EMULATOR) is graph and signin_client_for(creds, EMULATOR) is signin
