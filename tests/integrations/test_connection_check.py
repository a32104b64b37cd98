"""Test Connection against Microsoft's real endpoints mocked with `responses`: each failure has its own message."""

import datetime

import pytest
import requests
import responses
from django.urls import reverse
from django.utils import timezone

from integrations.connection_client import graph_endpoints
from integrations.graph import clear_clients
from integrations.models import EntraConnection
from integrations.services import connection_test_run
from tests.helpers.connection_check import ALL_ROLES, GRAPH, graph_reads
from tests.helpers.graph_mock import mock_entra, openid_configuration, openid_configuration_url, token_url
from tests.helpers.graph_payloads import CLIENT, INSTANCE_DISCOVERY, SECRET, TENANT, load

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_clients():
    clear_clients()
    yield
    clear_clients()


@pytest.fixture
def connection(organization):
    return EntraConnection.objects.create(
        organization=organization, tenant_id=TENANT, client_id=CLIENT, client_secret=SECRET,
        status=EntraConnection.Status.UNTESTED,
    )


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
        yield mock


def entra_refuses(rsps, body_fixture, status):
    rsps.add("GET", openid_configuration_url(graph_endpoints(), TENANT),
             json=openid_configuration(graph_endpoints(), TENANT))
    rsps.add("POST", token_url(graph_endpoints(), TENANT), json=load(body_fixture), status=status)


def checks_by_key(outcome):
    return {check.key: check for check in outcome.checks}


def test_correct_setup_is_green_and_reads_secret_expiry(rsps, connection):
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=ALL_ROLES)
    graph_reads(rsps)
    outcome = connection_test_run(connection=connection)
    assert outcome.ok, [(c.key, c.message) for c in outcome.checks if c.status == "fail"]
    checks = checks_by_key(outcome)
    assert checks["credentials"].status == "ok"
    assert checks["permission:User.Read.All"].status == "ok"
    assert checks["graph:organization"].message == "Organization: Contoso."
    assert checks["expiry"].status == "ok" and "read from Microsoft Entra" in checks["expiry"].message
    connection.refresh_from_db()
    assert connection.status == EntraConnection.Status.CONNECTED
    assert 198 <= connection.days_until_expiry() <= 200
    assert connection.last_tested_at is not None
    assert connection.last_test_results[0]["key"] == "authority"


@pytest.mark.parametrize(("fixture_name", "status", "expected"), [
    ("entra_error_7000215.json", 401, "Enter the secret's Value, not its Secret ID"),
    ("entra_error_7000222.json", 401, "create a new client secret"),
    ("entra_error_700016.json", 400, f"No application with Client ID {CLIENT} exists in tenant {TENANT}"),
])
def test_credential_failures_have_their_own_message_and_pause_syncs(rsps, connection, fixture_name, status,
                                                                    expected):
    entra_refuses(rsps, fixture_name, status)
    outcome = connection_test_run(connection=connection)
    check = checks_by_key(outcome)["credentials"]
    assert check.status == "fail"
    assert expected in check.message + " " + check.fix
    assert SECRET not in check.message + check.fix
    connection.refresh_from_db()
    assert connection.status == EntraConnection.Status.ERROR
    assert connection.syncs_paused is True


def test_expired_secret_message(rsps, connection):
    entra_refuses(rsps, "entra_error_7000222.json", 401)
    check = checks_by_key(connection_test_run(connection=connection))["credentials"]
    assert check.message.startswith("The client secret has expired (AADSTS7000222)")


def test_unknown_tenant(rsps, connection):
    rsps.add("GET", openid_configuration_url(graph_endpoints(), TENANT), json=load("entra_error_90002.json"),
             status=400)
    outcome = connection_test_run(connection=connection)
    check = checks_by_key(outcome)["authority"]
    assert check.status == "fail"
    assert check.message == f"Tenant “{TENANT}” was not found in Microsoft Entra ID (AADSTS90002)."
    assert "credentials" not in checks_by_key(outcome)


def test_network_failure(rsps, connection):
    rsps.add("GET", openid_configuration_url(graph_endpoints(), TENANT),
             body=requests.exceptions.ConnectionError("connection refused"))
    check = checks_by_key(connection_test_run(connection=connection))["authority"]
    assert check.status == "fail"
    assert "cannot reach login.microsoftonline.com" in check.message
    connection.refresh_from_db()
    assert connection.syncs_paused is False  # a network blip is not a rejected credential


def test_missing_permission_is_named(rsps, connection):
    connection.feature_contacts = True
    connection.save()
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=["User.Read.All", "Application.Read.All"])
    graph_reads(rsps)
    outcome = connection_test_run(connection=connection)
    assert not outcome.ok
    checks = checks_by_key(outcome)
    assert checks["permission:Contacts.Read"].status == "fail"
    assert "Contacts.Read is not granted" in checks["permission:Contacts.Read"].message
    assert checks["permission:Presence.Read.All"].status == "skip"  # presence not enabled
    assert outcome.first_failure.key == "permission:Contacts.Read"


def test_no_consent_at_all(rsps, connection):
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=None)
    rsps.add("GET", f"{GRAPH}/organization", json=load("graph_error_401_no_roles.json"), status=401)
    rsps.add("GET", f"{GRAPH}/users", json=load("graph_error_401_no_roles.json"), status=401)
    outcome = connection_test_run(connection=connection)
    checks = checks_by_key(outcome)
    assert checks["consent"].status == "fail"
    assert "admin consent has not been granted" in checks["consent"].message
    assert checks["permission:User.Read.All"].status == "fail"
    assert checks["graph:users"].status == "fail"
    assert "lacks the application permission" in checks["graph:users"].message
    assert checks["expiry"].status == "warn"


def test_secret_expiring_soon_warns_and_shows_banner(rsps, connection, admin_client):
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=ALL_ROLES)
    noon_today = timezone.now().replace(hour=12, minute=0)
    graph_reads(rsps, secret_end=noon_today + datetime.timedelta(days=10))
    outcome = connection_test_run(connection=connection)
    assert outcome.ok
    assert checks_by_key(outcome)["expiry"].status == "warn"
    body = admin_client.get(reverse("extensions:list")).content.decode()
    assert "client credential expires in 10 days" in body
    assert "Expires in 10d" in body


def test_expiry_from_entered_date_without_application_permission(rsps, connection):
    connection.secret_expires_on = timezone.localdate() + datetime.timedelta(days=100)
    connection.save()
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=["User.Read.All"])
    graph_reads(rsps)
    outcome = connection_test_run(connection=connection)
    checks = checks_by_key(outcome)
    assert checks["expiry"].status == "ok" and "(as entered)" in checks["expiry"].message
    assert checks["permission:Application.Read.All"].status == "warn"
    assert rsps.assert_call_count(f"{GRAPH}/applications(appId='{CLIENT}')", 0)


def test_test_view_shows_result_and_hides_secret(rsps, connection, admin_client, celery_eager,
                                                django_capture_on_commit_callbacks):
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=ALL_ROLES)
    graph_reads(rsps)
    with django_capture_on_commit_callbacks(execute=True):  # the queued task runs (eagerly) after the request
        admin_client.post(reverse("integrations:entra_test"))
    body = admin_client.get(reverse("integrations:entra")).content.decode()
    assert "Test Connection passed" in body
    assert 'data-check="graph:users"' in body
    assert SECRET not in body
    assert "Connected" in body


def test_a_missing_redirect_uri_fails_the_check_of_the_feature_that_needs_it(rsps, connection):
    from integrations.redirect_uris import uc_client_redirect_uri
    from sso.models import SsoSettings

    SsoSettings.objects.create(organization=connection.organization, allow_sso_login=True)
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=ALL_ROLES)
    graph_reads(rsps)  # the app registration has no web Redirect URI
    outcome = connection_test_run(connection=connection)
    check = checks_by_key(outcome)[f"redirect_uri:{uc_client_redirect_uri()}"]
    assert check.status == "fail" and "UC Client sign-in with Microsoft" in check.label
    assert uc_client_redirect_uri() in check.message and "Authentication > Web" in check.fix
    assert not outcome.ok and outcome.first_failure is check
    connection.refresh_from_db()
    assert connection.status == EntraConnection.Status.ERROR


def test_no_redirect_uri_check_while_sso_is_off(rsps, connection):
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=ALL_ROLES)
    graph_reads(rsps)
    outcome = connection_test_run(connection=connection)
    assert outcome.ok and not any(c.key.startswith("redirect_uri") for c in outcome.checks)
