"""Test Connection end to end: MSAL and the Graph client over HTTPS against the Entra/Graph emulator."""

import socket
import urllib.parse

import pytest

from integrations.certificates import certificate_credential_load
from integrations.models import EntraConnection
from integrations.services import connection_save, connection_test_run
from tests.helpers.certificates import make_certificate

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def connection(emu, organization):
    return EntraConnection.objects.create(
        organization=organization, tenant_id=emu.tenant_id, client_id=emu.client_id,
        client_secret=emu.client_secret, status=EntraConnection.Status.UNTESTED,
    )


def save_certificate_connection(emu, organization, actor, key_pem, cert_pem) -> EntraConnection:
    return connection_save(
        connection=EntraConnection(organization=organization),
        cleaned_data={"tenant_id": emu.tenant_id, "client_id": emu.client_id, "credential_type": "certificate",
                      "secret_expires_on": None, "feature_user_sync": True, "feature_group_scope": False,
                      "feature_contacts": False, "feature_presence": False, "feature_presence_writeback": False},
        certificate=certificate_credential_load(key_pem, cert_pem), actor=actor,
    )


def checks(outcome):
    return {check.key: check for check in outcome.checks}


def graph_calls(emu):
    return emu.request_counts()


def test_correct_setup_is_green_with_few_calls(emu, connection):
    emu.control("DELETE", "/_emulator/requests")
    outcome = connection_test_run(connection=connection)
    assert outcome.ok, [(c.key, c.message) for c in outcome.checks if c.status != "ok"]
    assert all(c.status == "ok" for c in outcome.checks), [(c.key, c.status) for c in outcome.checks]
    assert checks(outcome)["expiry"].message.endswith("days left.")
    connection.refresh_from_db()
    assert connection.status == EntraConnection.Status.CONNECTED
    assert connection.graph_secret_expires_at is not None
    counts = graph_calls(emu)
    assert counts["total"] <= 6, counts  # discovery + token + organization + users + applications


def test_wrong_secret(emu, connection):
    connection.client_secret = "Wrong~secret-value-0123456789abcdefghij"
    connection.save()
    check = checks(connection_test_run(connection=connection))["credentials"]
    assert check.status == "fail"
    assert "AADSTS7000215" in check.message
    assert "Enter the secret's Value, not its Secret ID" in check.fix


def test_secret_id_pasted_instead_of_value_is_refused_by_the_form(emu):
    from integrations.forms import EntraConnectionForm

    form = EntraConnectionForm(data={"tenant_id": emu.tenant_id, "client_id": emu.client_id,
                                     "credential_type": "secret", "client_secret": emu.tenant["app"]["secret_id"]},
                               instance=EntraConnection())
    assert not form.is_valid()
    assert "looks like the Secret ID" in form.errors["client_secret"][0]


def test_expired_secret(emu, connection):
    emu.control("POST", "/_emulator/app/secret", json={"action": "expire"})
    outcome = connection_test_run(connection=connection)
    assert checks(outcome)["credentials"].message.startswith("The client secret has expired (AADSTS7000222)")
    connection.refresh_from_db()
    assert connection.syncs_paused is True


def test_unknown_client_id(emu, connection):
    connection.client_id = "0badc0de-0000-4000-8000-000000000000"
    connection.save()
    check = checks(connection_test_run(connection=connection))["credentials"]
    assert "No application with Client ID 0badc0de-0000-4000-8000-000000000000" in check.message


def test_unknown_tenant(emu, connection):
    connection.tenant_id = "0badc0de-1111-4000-8000-000000000000"
    connection.save()
    outcome = connection_test_run(connection=connection)
    check = checks(outcome)["authority"]
    assert check.status == "fail"
    assert "was not found in Microsoft Entra ID (AADSTS90002)" in check.message


def test_one_permission_revoked(emu, connection):
    connection.feature_presence = True
    connection.save()
    emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["Presence.Read.All", "Presence.ReadWrite.All"]})
    outcome = connection_test_run(connection=connection)
    failed = [c for c in outcome.checks if c.status == "fail"]
    assert [c.key for c in failed] == ["permission:Presence.Read.All"]
    assert "Presence.Read.All is not granted" in failed[0].message


def test_consent_granted_later_is_seen_without_restarting(emu, connection):
    emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["User.Read.All"]})
    assert not connection_test_run(connection=connection).ok
    emu.control("POST", "/_emulator/app/permissions", json={"grant": ["User.Read.All"]})
    assert connection_test_run(connection=connection).ok  # the cached token without the role was dropped


def test_no_consent_at_all(emu, connection):
    emu.control("POST", "/_emulator/app/permissions", json={"permissions": []})
    outcome = connection_test_run(connection=connection)
    found = checks(outcome)
    assert found["consent"].status == "fail"
    assert found["graph:users"].status == "fail"
    assert found["graph:organization"].status == "fail"


def test_emulator_stopped(emu, connection, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.MICROSOFT_AUTHORITY_HOST = f"https://127.0.0.1:{closed_port}"
    check = checks(connection_test_run(connection=connection))["authority"]
    assert check.status == "fail"
    assert "cannot reach 127.0.0.1" in check.message
    connection.refresh_from_db()
    assert connection.syncs_paused is False


def test_untrusted_certificate_is_a_tls_failure(emu, connection, settings):
    settings.MICROSOFT_CA_BUNDLE = ""  # the system bundle does not trust the emulator's CA
    check = checks(connection_test_run(connection=connection))["authority"]
    assert check.status == "fail"
    assert "TLS" in check.message and "not trusted" in check.message


def test_certificate_credential(emu, organization, admin_user):
    key_pem, cert_pem, _ = make_certificate()
    emu.control("POST", "/_emulator/app/certificates", json={"pem": cert_pem})
    connection = save_certificate_connection(emu, organization, admin_user, key_pem, cert_pem)
    outcome = connection_test_run(connection=connection)
    assert outcome.ok, [(c.key, c.message) for c in outcome.checks if c.status == "fail"]
    assert "from the certificate" in checks(outcome)["expiry"].message


def test_unregistered_certificate_is_rejected(emu, organization, admin_user):
    key_pem, cert_pem, _ = make_certificate()
    connection = save_certificate_connection(emu, organization, admin_user, key_pem, cert_pem)
    check = checks(connection_test_run(connection=connection))["credentials"]
    assert check.status == "fail"
    assert "certificate" in check.message.lower()
    assert urllib.parse.quote("PRIVATE") not in check.message


def test_secrets_and_tokens_never_reach_the_logs(emu, connection, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    assert connection_test_run(connection=connection).ok
    connection.client_secret = "Wrong~secret-value-0123456789abcdefghij"
    connection.save()
    connection_test_run(connection=connection)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert emu.client_secret not in logged
    assert "Wrong~secret-value" not in logged
    assert "eyJ" not in logged  # no JWT (access token) in any log line
