"""Test Connection off the request path: the web request queues a task and never calls Microsoft; the page polls
a JSON status; a second click shows the running test; a stale one can be restarted; Retry-After waits end at a
total deadline in the worker."""

import datetime
import time

import pytest
import responses
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from integrations.connection_client import graph_endpoints
from integrations.graph import clear_clients
from integrations.models import EntraConnection
from integrations.tasks import run_connection_test
from organizations.models import AuditEntry
from tests.helpers.connection_check import ALL_ROLES, GRAPH, graph_reads
from tests.helpers.graph_mock import mock_entra
from tests.helpers.graph_payloads import CLIENT, INSTANCE_DISCOVERY, SECRET, TENANT, load

pytestmark = pytest.mark.django_db
TEST_URL = reverse("integrations:entra_test")
STATUS_URL = reverse("integrations:entra_test_status")
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def fresh_clients():
    clear_clients()
    yield
    clear_clients()


@pytest.fixture
def connection(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id=TENANT, client_id=CLIENT,
                                          client_secret=SECRET, status=EntraConnection.Status.UNTESTED)


@pytest.fixture
def no_http():
    """Any HTTP call (to Microsoft or anywhere) fails the test: nothing is registered."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
        yield mock


def test_click_queues_the_task_and_the_request_calls_no_one(admin_client, admin_user, connection, no_http,
                                                            django_capture_on_commit_callbacks):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(TEST_URL, **JSON)
    assert time.monotonic() - started < 2
    assert response.status_code == 202
    assert response.json()["running"] is True
    assert len(no_http.calls) == 0  # the web process never waits on Microsoft
    assert len(callbacks) == 1  # the task is sent once the request's transaction commits
    connection.refresh_from_db()
    assert connection.test_started_at is not None
    assert connection.last_tested_at is None


def test_click_without_javascript_redirects_back_to_the_page(admin_client, connection, no_http,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(TEST_URL)
    assert response.status_code == 302 and response.url == reverse("integrations:entra")
    assert len(callbacks) == 1
    page = admin_client.get(reverse("integrations:entra")).content.decode()
    assert "Test running since" in page
    assert 'data-running="true"' in page


def test_the_queued_task_runs_the_test_and_the_status_shows_its_results(admin_client, admin_user, connection, rsps,
                                                                        celery_eager,
                                                                        django_capture_on_commit_callbacks):
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=ALL_ROLES)
    graph_reads(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(TEST_URL, **JSON)
    status = admin_client.get(STATUS_URL).json()
    assert status["running"] is False
    assert status["ok"] is True
    assert status["badge"] == {"level": "ok", "text": "Connected", "short": "Connected"}
    keys = [check["key"] for check in status["checks"]]
    assert keys[:2] == ["authority", "credentials"] and "graph:users" in keys
    assert SECRET not in str(status)
    connection.refresh_from_db()
    assert connection.test_started_at is None
    assert connection.status == EntraConnection.Status.CONNECTED
    assert AuditEntry.objects.get(action="entra.connection_tested").actor == admin_user


def test_a_second_click_shows_the_running_test_instead_of_starting_another(admin_client, connection, no_http,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = admin_client.post(TEST_URL, **JSON).json()
        second = admin_client.post(TEST_URL, **JSON).json()
    assert len(callbacks) == 1
    assert second["already_running"] is True and second["running"] is True
    assert second["started_at"] == first["started_at"]


def test_a_stale_test_whose_worker_died_can_be_started_again(admin_client, connection, no_http, settings,
                                                             django_capture_on_commit_callbacks):
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.CONNECTION_TEST_STALE_AFTER + 5)
    EntraConnection.objects.filter(pk=connection.pk).update(test_started_at=long_ago)
    status = admin_client.get(STATUS_URL).json()
    assert status["stale"] is True and status["running"] is False
    page = admin_client.get(reverse("integrations:entra")).content.decode()
    assert "did not finish. Click Test Connection to run it again." in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        restarted = admin_client.post(TEST_URL, **JSON).json()
    assert len(callbacks) == 1
    assert restarted["running"] is True and restarted["already_running"] is False


def test_progress_is_visible_while_the_test_runs(admin_client, connection):
    checks = [{"key": "authority", "label": "Microsoft Entra reachable, tenant found", "status": "ok",
               "message": "Tenant answered.", "fix": ""}]
    EntraConnection.objects.filter(pk=connection.pk).update(test_started_at=timezone.now(), test_progress=checks)
    status = admin_client.get(STATUS_URL).json()
    assert status["running"] is True
    assert status["checks"] == checks


def test_status_is_only_the_admins_own_organization(client, connection, other_organization):
    from tests.helpers.factories import make_admin

    EntraConnection.objects.filter(pk=connection.pk).update(test_started_at=timezone.now())
    client.force_login(make_admin(other_organization))
    status = client.get(STATUS_URL).json()
    assert status["configured"] is False and status["running"] is False and status["checks"] == []


def test_status_and_test_need_a_signed_in_admin(client, connection):
    assert client.get(STATUS_URL).status_code == 302
    assert client.post(TEST_URL).status_code == 302
    connection.refresh_from_db()
    assert connection.test_started_at is None


def test_not_configured_is_refused_without_queuing(admin_client, organization, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(TEST_URL, **JSON)
    assert response.status_code == 409
    assert callbacks == []


def test_not_configured_from_a_plain_form_is_a_banner_on_the_connection_tab(admin_client, organization):
    response = admin_client.post(TEST_URL)
    assert (response.status_code, response.url) == (302, reverse("integrations:entra"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Save the Tenant ID, Client ID and a client secret or certificate first."]
    assert admin_client.post(TEST_URL, **JSON).json() == {
        "error": "Save the Tenant ID, Client ID and a client secret or certificate first."}


def test_retry_after_waits_stop_at_the_total_deadline_in_the_worker(rsps, connection, settings):
    settings.CONNECTION_TEST_DEADLINE = 3
    EntraConnection.objects.filter(pk=connection.pk).update(test_started_at=timezone.now())
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=ALL_ROLES)
    for path in ("organization", "users", f"applications(appId='{CLIENT}')"):
        rsps.add("GET", f"{GRAPH}/{path}", status=503, headers={"Retry-After": "20"},
                 json={"error": {"code": "ServiceUnavailable", "message": "Service is unavailable.",
                                 "innerError": {"request-id": "5e3b6d3c-0000-4000-8000-000000000001",
                                                "date": "2026-01-01T00:00:00"}}})
    started = time.monotonic()
    summary = run_connection_test(connection.pk)
    assert time.monotonic() - started < 3
    assert summary.startswith("failed")
    connection.refresh_from_db()
    assert connection.test_started_at is None  # the page stops showing "running"
    failed = {c["key"]: c for c in connection.last_test_results}["graph:organization"]
    assert failed["status"] == "fail"
    assert len([c for c in rsps.calls if "/organization" in c.request.url]) == 1  # no 20 s wait, no retry


def test_a_short_retry_after_is_waited_for_within_the_deadline(rsps, connection, settings):
    settings.CONNECTION_TEST_DEADLINE = 10
    mock_entra(rsps, graph_endpoints(), TENANT, CLIENT, roles=ALL_ROLES)
    rsps.add("GET", f"{GRAPH}/organization", status=503, headers={"Retry-After": "1"},
             json={"error": {"code": "ServiceUnavailable", "message": "Service is unavailable."}})
    graph_reads(rsps)
    assert run_connection_test(connection.pk) == "passed"
