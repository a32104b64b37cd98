"""PBX calls reach Teams through dropped connections, resets and runs of 503s (emulator over HTTPS, MSAL).

The eager tests run the task in-process (its retries at once); the worker test runs a real Celery worker on Redis
and PostgreSQL, so retries wait their countdown (Graph's Retry-After) as in production.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection as db_connection

from integrations.graph import clear_clients
from organizations.services import api_key_create
from pbx_portal.celery import app as celery_app
from presence import tasks
from presence.models import ExtensionPresence
from tests.presence.helpers import bind, connect, directory_users, teams_presence
from tests.services import redis_url_or_skip, services_required

pytestmark = pytest.mark.integration
EVENTS_URL = "/api/pbx/calls/events"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def emu(emulator_clean, settings):
    for name, value in emulator_clean.settings.items():
        setattr(settings, name, value)
    clear_clients()
    yield emulator_clean
    clear_clients()


def available_user(emu) -> dict:
    for user in directory_users(emu, 20):
        if teams_presence(emu, user["id"]) == ("Available", "Available"):
            return user
    raise AssertionError("no seeded user is Available")


def send_event(client, key, number, event, call_id):
    return client.post(EVENTS_URL, data=json.dumps({"extension": number, "event": event, "call_id": call_id}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


def set_and_clear_requests(emu, user_id) -> tuple[int, int]:
    by_path = emu.request_counts()["by_path"]
    return (by_path.get(f"POST /v1.0/users/{user_id}/presence/setPresence", 0),
            by_path.get(f"POST /v1.0/users/{user_id}/presence/clearPresence", 0))


def wait_until(condition, timeout: float, interval: float = 0.2):
    """Poll `condition` until it returns a truthy value (returned) or `timeout` seconds pass (AssertionError)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {condition.__doc__ or condition}")
        time.sleep(interval)


# --- in-process (eager) ----------------------------------------------------------------------------------------
@pytest.fixture
def eager_retrying():
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = True, False
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def pbx(db, emu, organization, client, eager_retrying, django_capture_on_commit_callbacks):
    connect(emu, organization)
    user = available_user(emu)
    (extension,) = bind(organization, [user])
    _, key = api_key_create(organization=organization, name="PBX", actor=None)

    def send(event, call_id):
        with django_capture_on_commit_callbacks(execute=True):
            response = send_event(client, key, extension.number, event, call_id)
        assert response.status_code == 202, response.content
        return response.json()

    send.user_id, send.extension = user["id"], extension
    return send


def test_resets_before_set_presence_are_retried_by_the_task(emu, pbx):
    emu.control("POST", "/_emulator/faults", json={"kind": "reset", "path": "/setPresence$", "count": 2})
    emu.control("DELETE", "/_emulator/requests")
    pbx("started", "call-1")
    assert teams_presence(emu, pbx.user_id) == ("Busy", "InACall")
    assert set_and_clear_requests(emu, pbx.user_id) == (3, 0)  # two resets (nothing done), then the set


def test_a_clear_whose_answer_was_cut_is_not_an_error(emu, pbx):
    pbx("started", "call-1")
    emu.control("POST", "/_emulator/faults", json={"kind": "drop", "path": "/clearPresence$", "count": 1})
    emu.control("DELETE", "/_emulator/requests")
    pbx("ended", "call-1")
    # The first clear was applied and its answer cut; the retry finds no session (404) and is done.
    assert teams_presence(emu, pbx.user_id) == ("Available", "Available")
    assert set_and_clear_requests(emu, pbx.user_id) == (0, 2)
    assert ExtensionPresence.objects.get(extension=pbx.extension).teams_session_until is None


def test_a_set_whose_answer_was_cut_is_sent_again_harmlessly(emu, pbx):
    emu.control("POST", "/_emulator/faults", json={"kind": "drop", "path": "/setPresence$", "count": 1})
    pbx("started", "call-1")
    assert teams_presence(emu, pbx.user_id) == ("Busy", "InACall")
    assert ExtensionPresence.objects.get(extension=pbx.extension).teams_session_until is not None
    pbx("ended", "call-1")
    assert teams_presence(emu, pbx.user_id) == ("Available", "Available")


# --- a real worker ------------------------------------------------------------------------------------------------
def _database_url_of_the_test_database() -> str:
    if db_connection.vendor != "postgresql":
        message = "a worker process needs the test data in PostgreSQL (an in-memory SQLite database is private)"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return f"{base}/{db_connection.settings_dict['NAME']}"


@pytest.fixture
def worker(emu, tmp_path, monkeypatch):
    """A Celery worker process on its own queue, sharing this test's database, Redis, keys and emulator."""
    database_url = _database_url_of_the_test_database()
    redis_url = redis_url_or_skip()
    queue = f"presence-test-{uuid.uuid4().hex[:8]}"
    keys = ",".join(django_settings.FIELD_ENCRYPTION_KEYS)
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, PORTAL_VAR_DIR=str(tmp_path),
               SECRET_KEY=django_settings.SECRET_KEY, FIELD_ENCRYPTION_KEY=keys, LOG_LEVEL="WARNING",
               **{name: str(value) for name, value in emu.settings.items()})
    env.pop("CELERY_BROKER_URL", None)
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pbx_portal", "worker", "--pool", "solo", "--queues", queue,
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--hostname", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    probe = Celery(broker=redis_url, backend=redis_url)
    try:
        probe.send_task("pbx_portal.health", args=["ready"], queue=queue).get(timeout=120)  # the worker is up
        monkeypatch.setattr(tasks.reconcile_call_presence, "delay",
                            lambda *args: tasks.reconcile_call_presence.apply_async(args, queue=queue))
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        probe.close()
        log.close()


@pytest.mark.django_db(transaction=True)
def test_six_503s_on_set_presence_the_user_is_in_a_call_within_30_seconds(emu, worker, organization, client):
    connect(emu, organization)
    user = available_user(emu)
    (extension,) = bind(organization, [user])
    _, key = api_key_create(organization=organization, name="PBX", actor=None)
    # More 503s than the client's own retries (1 + 4 tries): the task has to retry, after Retry-After.
    emu.control("POST", "/_emulator/faults", json={"kind": "503", "path": "/setPresence$", "count": 6,
                                                    "retry_after": 1})
    emu.control("DELETE", "/_emulator/requests")
    started = time.monotonic()
    assert send_event(client, key, extension.number, "started", "call-1").status_code == 202

    def in_a_call():
        """Teams shows Busy/InACall"""
        return teams_presence(emu, user["id"]) == ("Busy", "InACall")

    wait_until(in_a_call, timeout=30)
    assert time.monotonic() - started < 30
    assert set_and_clear_requests(emu, user["id"]) == (7, 0)  # six 503s, then the set
    assert emu.control("GET", "/_emulator/faults")["faults"][0]["fired"] == 6
    assert send_event(client, key, extension.number, "ended", "call-1").status_code == 202

    def cleared():
        """Teams shows Available again and the session is forgotten"""
        return teams_presence(emu, user["id"]) == ("Available", "Available") and not \
            ExtensionPresence.objects.filter(extension=extension, teams_session_until__isnull=False).exists()

    wait_until(cleared, timeout=30)
    assert set_and_clear_requests(emu, user["id"]) == (7, 1)
