"""PBX calls reach Teams through a run of 503s longer than the Graph client's own retries: a real Celery worker
on Redis and PostgreSQL, so the task's retries wait their countdown (Graph's Retry-After) as in production.
(Resets and dropped answers, with the task run in-process: tests/live/presence/test_presence_emulator.py.)"""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection as db_connection

from organizations.services import api_key_create
from presence import tasks
from presence.models import ExtensionPresence
from tests.helpers.paths import ROOT
from tests.helpers.presence import bind, connect, presence_writes, teams_presence, user_with
from tests.helpers.services import redis_url_or_skip

pytestmark = pytest.mark.integration
EVENTS_URL = "/api/pbx/calls/events"


def send_event(client, key, number, event, call_id):
    return client.post(EVENTS_URL, data=json.dumps({"extension": number, "event": event, "call_id": call_id}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


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


# --- a real worker ------------------------------------------------------------------------------------------------
def _database_url_of_the_test_database() -> str:
    if db_connection.vendor != "postgresql":  # like tests/integrations/sync/test_dispatch.py: CI runs it on PostgreSQL
        pytest.skip("a worker process needs the test data in PostgreSQL (an in-memory SQLite database is private)")
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
    probe = Celery(broker=redis_url, backend=redis_url, set_as_current=False)  # the portal app stays current
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
    user = user_with(emu, "Available")
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
    assert presence_writes(emu, user["id"]) == (7, 0)  # six 503s, then the set
    assert emu.control("GET", "/_emulator/faults")["faults"][0]["fired"] == 6
    assert send_event(client, key, extension.number, "ended", "call-1").status_code == 202

    def cleared():
        """Teams shows Available again and the session is forgotten"""
        return teams_presence(emu, user["id"]) == ("Available", "Available") and not \
            ExtensionPresence.objects.filter(extension=extension, teams_session_until__isnull=False).exists()

    wait_until(cleared, timeout=30)
    assert presence_writes(emu, user["id"]) == (7, 1)
