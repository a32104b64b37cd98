"""A run's heartbeat from a background thread, so a run that waits (Retry-After, a slow page) is never mistaken
for one whose worker died. If the worker process dies the thread dies with it and the run goes stale."""

from __future__ import annotations

import logging
import threading

from django.db import connections
from django.utils import timezone

from integrations.sync.models import SyncRun

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 30.0


class Heartbeat:
    def __init__(self, run_id: int, interval: float = INTERVAL_SECONDS):
        self.run_id = run_id
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"sync-heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    SyncRun.objects.filter(pk=self.run_id, status=SyncRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now())
                except Exception as exc:  # noqa: BLE001 - a missed beat is retried at the next interval
                    logger.warning("Heartbeat of sync run %s failed: %s", self.run_id, type(exc).__name__)
        finally:
            connections.close_all()
