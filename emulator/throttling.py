"""Graph-like throttling: a per-app request budget over a sliding window (off unless a limit is set).

What a 429 carries in Retry-After is configurable, since Graph may send integer seconds, decimal seconds
(Microsoft's throttling sample: `2.128`) or nothing at all:
  "integer" (default): whole seconds until a slot frees, at least 1;  "decimal": the same with 3 decimals;
  a number: always that value;  None: no Retry-After header (clients fall back to exponential backoff).
"""

import collections
import math
import threading
import time

MODES = ("integer", "decimal")
_UNSET = object()


class Throttle:
    def __init__(self, limit: int | None = None, window: float = 10.0, retry_after="integer"):
        self._lock = threading.Lock()
        self._hits: dict[str, collections.deque] = {}
        self.retry_after = "integer"
        self.configure(limit, window, retry_after)
        self.throttled = 0

    def configure(self, limit: int | None, window: float | None = None, retry_after=_UNSET) -> None:
        if retry_after is not _UNSET:
            self.retry_after = check_retry_after(retry_after, MODES)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise ValueError("limit must be a whole number >= 0, or null (off)")
        if window is not None and (isinstance(window, bool) or not isinstance(window, (int, float)) or window <= 0):
            raise ValueError("window must be a number of seconds > 0")
        with self._lock:
            self.limit = int(limit) if limit else None
            if window:
                self.window = float(window)
            self._hits = {}

    def check(self, app_id: str) -> float | None:
        """None if allowed (and counted), else the exact seconds until a slot frees (answer 429)."""
        if not self.limit:
            return None
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(app_id, collections.deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                self.throttled += 1
                return max(0.0, hits[0] + self.window - now)
            hits.append(now)
            return None

    def retry_after_value(self, wait: float):
        """The Retry-After to send for a 429 that must wait `wait` seconds (None: send no header)."""
        mode = self.retry_after
        if mode == "integer":
            return max(1, math.ceil(wait))
        if mode == "decimal":
            return max(0.001, round(wait, 3))
        return mode

    def snapshot(self) -> dict:
        with self._lock:
            return {"limit": self.limit, "window": self.window, "retry_after": self.retry_after,
                    "throttled": self.throttled}


def check_retry_after(value, modes=()):
    """A Retry-After setting: None (no header), a number >= 0, an HTTP-date string, or one of `modes`."""
    if value is None or value in modes:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("retry_after must be a number of seconds, an HTTP date, null (no header)"
                         + (f" or one of {', '.join(modes)}" if modes else ""))
    if isinstance(value, str):
        if not value.strip() or "\r" in value or "\n" in value:
            raise ValueError("retry_after must not be empty or contain line breaks")
        return value
    if value < 0 or not math.isfinite(value):
        raise ValueError("retry_after must be >= 0")
    return value
