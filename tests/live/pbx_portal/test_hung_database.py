"""A hung database must not hang signed-in pages: with PostgreSQL behind a TCP proxy that stops forwarding (the
connection stays open, nothing comes back), a signed-in page answers 503 with the friendly page within seconds.
Workers get their own, longer statement timeout."""

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.helpers.django_process import run_django, subprocess_env
from tests.helpers.factories import make_admin
from tests.helpers.paths import ROOT
from tests.helpers.services import services_required


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        if services_required():
            pytest.fail("PostgreSQL is required here (DATABASE_URL)")
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


class FreezableProxy:
    """A TCP proxy in a thread. freeze(): it keeps every connection open but forwards nothing more, in either
    direction (its kernel still acknowledges what arrives, as a hung proxy or pooler would)."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.frozen = threading.Event()
        self.stopped = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        self.server.settimeout(0.1)
        while not self.stopped.is_set():
            try:
                client, _ = self.server.accept()
            except OSError:
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a, b):
        peers = {a: b, b: a}
        while not self.stopped.is_set():
            if self.frozen.is_set():
                time.sleep(0.05)
                continue
            readable, _, _ = select.select(list(peers), [], [], 0.05)
            for sock in readable:
                if self.frozen.is_set():
                    break
                data = sock.recv(65536)
                if not data:
                    return
                peers[sock].sendall(data)

    def freeze(self):
        self.frozen.set()

    def close(self):
        self.stopped.set()
        for sock in [self.server, *self.sockets]:
            sock.close()


@pytest.fixture
def proxy():
    proxy = FreezableProxy(int(connection.settings_dict["PORT"] or 5432))
    yield proxy
    proxy.close()


PAGE_WHILE_FROZEN = """
import sys, time, django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_settings
# Production settings, except static files served without a collectstatic manifest.
STATIC = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
override_settings(STORAGES=STATIC).enable()
client = Client(raise_request_exception=False, HTTP_HOST="pbx.example.com")
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
assert client.get("/extensions/", secure=True).status_code == 200
print("READY", flush=True)
sys.stdin.readline()  # the proxy is frozen now
started = time.monotonic()
response = client.get("/extensions/", secure=True)
print(response.status_code, round(time.monotonic() - started, 1), response.get("Retry-After"), flush=True)
print(response.content.decode(), flush=True)
"""


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_page_answers_503_within_seconds_when_the_database_hangs(organization, proxy, tmp_path):
    admin = make_admin(organization, "hung-db-admin")
    settings_dict = connection.settings_dict
    env = subprocess_env(tmp_path, DATABASE_URL=f"postgres://{settings_dict['USER']}@127.0.0.1:{proxy.port}/"
                                                 f"{settings_dict['NAME']}",
                         REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"))
    log = tmp_path / "page.log"
    with log.open("w") as stderr:
        page = subprocess.Popen([sys.executable, "-c", PAGE_WHILE_FROZEN, admin.username], cwd=ROOT, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        assert select.select([page.stdout], [], [], 60)[0], "no first page within 60 s"
        assert page.stdout.readline().strip() == "READY", log.read_text()[-3000:]
        proxy.freeze()
        page.stdin.write("go\n")
        page.stdin.flush()
        out, _ = page.communicate(timeout=30)  # without the bound, the page waits forever
    finally:
        page.kill()
    status, seconds, retry_after = out.splitlines()[0].split()
    assert status == "503", log.read_text()[-3000:]
    assert float(seconds) < 8  # DATABASE_HANG_TIMEOUT (3 s) + a probe that gets no answer (2 s)
    assert retry_after == "30"
    assert "The portal is not answering right now" in out and "Traceback" not in out
    assert get_user_model().objects.filter(pk=admin.pk).exists()  # this process's own connection is fine


WORKER_TIMEOUT = """
import json, django
django.setup()
from django.db import connection
def timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]
web = timeout()
from celery.signals import worker_init
import pbx_portal.celery
worker_init.send(sender=None)
print(json.dumps({"web": web, "worker": timeout()}))
"""


@pytest.mark.django_db
def test_workers_get_their_own_longer_statement_timeout(tmp_path):
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@127.0.0.1:{database['PORT'] or 5432}/{database['NAME']}"
    result = run_django(tmp_path, WORKER_TIMEOUT, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"web": "30s", "worker": "5min"}
    custom = run_django(tmp_path, WORKER_TIMEOUT, DATABASE_URL=url, DATABASE_STATEMENT_TIMEOUT="20s",
                        WORKER_DATABASE_STATEMENT_TIMEOUT="10min")
    assert json.loads(custom.stdout) == {"web": "20s", "worker": "10min"}


@pytest.mark.django_db
def test_a_slow_query_on_a_live_server_is_not_taken_for_a_hang(monkeypatch):
    from pbx_portal.postgresql.base import RoundTripBounds

    connection.ensure_connection()
    monkeypatch.setattr(connection.connection.bounds, "hang_timeout", 0.5)
    probes, real = [], RoundTripBounds.server_answers
    monkeypatch.setattr(RoundTripBounds, "server_answers", lambda self: probes.append(real(self)) or probes[-1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(1.6), 42")
        assert cursor.fetchone()[1] == 42
    assert probes and all(probes)  # the server was asked, answered, and the query went on to its end
