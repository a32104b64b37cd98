"""A real worker process round trip through a real Redis broker and result backend."""

import os
import subprocess
import sys
import uuid

import pytest
from celery import Celery

from tests.helpers.paths import ROOT
from tests.helpers.services import redis_url_or_skip

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_on_redis(tmp_path):
    url = redis_url_or_skip()
    queue = f"health-test-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, REDIS_URL=url, PORTAL_VAR_DIR=str(tmp_path))
    env.pop("CELERY_BROKER_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pbx_portal", "worker", "--pool", "solo", "--queues", queue,
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--hostname", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    client = Celery(broker=url, backend=url, set_as_current=False)
    try:
        yield client, queue
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        client.close()


def test_health_task_round_trip_through_redis(worker_on_redis):
    client, queue = worker_on_redis
    token = uuid.uuid4().hex
    result = client.send_task("pbx_portal.health", args=[token], queue=queue)
    answer = result.get(timeout=60)
    assert answer["token"] == token
    assert answer["worker"]
    assert result.successful()
