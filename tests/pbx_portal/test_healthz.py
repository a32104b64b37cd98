"""/healthz answers 503 within a few seconds when the database or Redis is unreachable or hung."""

import socket
import threading
import time

import pytest

from tests.helpers.django_process import run_django

PROBE = (
    "import time, django; django.setup(); from django.test import Client; "
    "start = time.monotonic(); r = Client().get('/healthz', HTTP_HOST='pbx.example.com', secure=False); "
    "print(r.status_code, round(time.monotonic() - start, 2), r.content.decode())"
)


@pytest.fixture
def hung_port():
    """A socket that accepts connections and never answers a byte (a hung server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def healthz(tmp_path, **env):
    started = time.monotonic()
    result = run_django(tmp_path, PROBE, DEBUG="true", **env)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    status, seconds, body = result.stdout.strip().split(" ", 2)
    return int(status), float(seconds), body, elapsed


def test_hung_database_answers_503_within_seconds(tmp_path, hung_port):
    status, seconds, body, _ = healthz(tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{hung_port}/x",
                                       REDIS_URL=None)
    assert status == 503
    assert seconds < 5
    assert '"database": "unavailable"' in body


def test_unreachable_database_answers_503(tmp_path, closed_port):
    status, seconds, body, _ = healthz(tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port}/x",
                                       REDIS_URL=None)
    assert status == 503 and seconds < 5
    assert '"database": "unavailable"' in body


def test_hung_redis_answers_503_within_seconds(tmp_path, hung_port):
    status, seconds, body, _ = healthz(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
                                       REDIS_URL=f"redis://127.0.0.1:{hung_port}/0")
    assert status == 503
    assert seconds < 5
    assert '"redis": "unavailable"' in body
    assert '"database": "ok"' in body


def test_unreachable_redis_answers_503(tmp_path, closed_port):
    status, _, body, _ = healthz(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
                                 REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")
    assert status == 503
    assert '"redis": "unavailable"' in body


def test_healthy_services_answer_200(tmp_path):
    status, _, body, _ = healthz(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", REDIS_URL=None)
    assert status == 200
    assert '"status": "ok"' in body
