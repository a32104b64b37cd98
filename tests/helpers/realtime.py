"""A real Celery worker process for near real-time tests and benchmarks: it shares the test database (transactional
tests), Redis (broker and cache) and the emulator's settings with the process that starts it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.helpers.paths import ROOT


def worker_environment(**overrides) -> dict:
    """The environment a worker needs to act like this process (same database, keys and Microsoft endpoints)."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=settings.REDIS_URL, SECRET_KEY=settings.SECRET_KEY,
               FIELD_ENCRYPTION_KEY=",".join(settings.FIELD_ENCRYPTION_KEYS),
               MICROSOFT_AUTHORITY_HOST=settings.MICROSOFT_AUTHORITY_HOST,
               MICROSOFT_GRAPH_URL=settings.MICROSOFT_GRAPH_URL, MICROSOFT_CA_BUNDLE=settings.MICROSOFT_CA_BUNDLE or "",
               GRAPH_NOTIFICATION_URL=settings.GRAPH_NOTIFICATION_URL,
               GRAPH_NOTIFICATION_ALLOW_HTTP="true" if settings.GRAPH_NOTIFICATION_ALLOW_HTTP else "false",
               GRAPH_NOTIFICATION_COALESCE_SECONDS=str(settings.GRAPH_NOTIFICATION_COALESCE_SECONDS),
               DJANGO_SETTINGS_MODULE="pbx_portal.settings")
    env.pop("CELERY_BROKER_URL", None)
    env.update(overrides)
    return env


@contextmanager
def celery_worker(log_path: Path, *, concurrency: int = 3, env: dict | None = None, timeout: float = 60):
    """Start `celery worker` (threads pool, queue purged first) and wait until it is ready; stop it on exit."""
    log = open(log_path, "w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pbx_portal", "worker", "--pool", "threads", "--concurrency",
         str(concurrency), "--purge", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--hostname", f"realtime-{os.getpid()}@%h"],
        cwd=ROOT, env=env or worker_environment(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while "ready." not in log_path.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
