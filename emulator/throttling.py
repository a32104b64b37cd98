"""Graph-like throttling: a per-app request budget over a sliding window (off unless a limit is set)."""

import collections
import math
import threading
import time


class Throttle:
    def __init__(self, limit: int | None = None, window: float = 10.0):
        self._lock = threading.Lock()
        self._hits: dict[str, collections.deque] = {}
        self.configure(limit, window)
        self.throttled = 0

    def configure(self, limit: int | None, window: float | None = None) -> None:
        with self._lock:
            self.limit = int(limit) if limit else None
            if window:
                self.window = float(window)
            self._hits = {}

    def check(self, app_id: str) -> int | None:
        """None if allowed (and counted), else the Retry-After seconds to answer with 429."""
        if not self.limit:
            return None
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(app_id, collections.deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                self.throttled += 1
                return max(1, math.ceil(hits[0] + self.window - now))
            hits.append(now)
            return None

    def snapshot(self) -> dict:
        with self._lock:
            return {"limit": self.limit, "window": self.window, "throttled": self.throttled}
