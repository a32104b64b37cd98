"""Background delivery of change and lifecycle notifications, with retries and backoff, and a log of every POST.

One scheduler thread keeps a heap of due deliveries; a small pool POSTs them, several notifications for the same
URL in one request (Graph batches too), one request at a time per URL (so notifications keep their order unless a
retry intervenes; different URLs are served in parallel). An answer that is not 2xx within the delivery timeout
(3 s, as Graph) is retried after `retry_initial * retry_factor ** (attempt - 1)` seconds (capped at
`retry_max_delay`) until `retry_window` (4 hours, as Graph) has passed since the notification was first queued;
then it is dropped.
"""

import collections
import dataclasses
import heapq
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from emulator.util import iso, utcnow

LOG_SIZE = 10000
POOL_SIZE = 8


@dataclasses.dataclass
class Pending:
    url: str
    kind: str  # "change" or "lifecycle"
    notification: dict
    subscription_id: str
    generation: int
    first_queued: float = dataclasses.field(default_factory=time.monotonic)
    attempts: int = 0


class DeliveryLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries: collections.deque = collections.deque(maxlen=LOG_SIZE)
        self._ids = itertools.count(1)

    def add(self, **entry) -> None:
        with self._lock:
            self._entries.append({"id": next(self._ids), "at": iso(utcnow()), **entry})

    def entries(self, subscription_id: str | None = None, kind: str | None = None) -> list[dict]:
        with self._lock:
            items = list(self._entries)
        if subscription_id:
            items = [e for e in items if subscription_id in e["subscriptionIds"]]
        if kind:
            items = [e for e in items if e["kind"] == kind]
        return items

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class DeliveryWorker:
    def __init__(self, settings, client):
        self.settings = settings
        self.client = client
        self.log = DeliveryLog()
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Pending]] = []
        self._seq = itertools.count()
        self._generation = 0
        self._in_flight = 0
        self._busy_urls: set[str] = set()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._stopped = False

    # --- producers --------------------------------------------------------------------------------------------
    def enqueue(self, url: str, kind: str, notification: dict, subscription_id: str) -> None:
        with self._cond:
            self._start()
            item = Pending(url, kind, notification, subscription_id, self._generation)
            heapq.heappush(self._heap, (time.monotonic(), next(self._seq), item))
            self._cond.notify()

    def skipped(self, url: str, kind: str, notification: dict, subscription_id: str, reason: str) -> None:
        """A notification Graph would not send (the subscription is paused): logged, never POSTed."""
        self.log.add(kind=kind, url=url, subscriptionIds=[subscription_id], attempt=0, status=None, error=None,
                     elapsedMs=None, outcome="dropped", retryInSeconds=None, reason=reason,
                     payload={"value": [notification]})

    def pending_count(self) -> int:
        with self._cond:
            return len(self._heap) + self._in_flight

    def reset(self) -> None:
        """Forget queued and in-flight deliveries (their results are ignored) and the log."""
        with self._cond:
            self._generation += 1
            self._heap.clear()
            self._cond.notify()
        self.log.clear()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    # --- scheduler -------------------------------------------------------------------------------------------
    def _start(self) -> None:
        if self._thread is None and not self._stopped:
            self._pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="emulator-notify")
            self._thread = threading.Thread(target=self._run, name="emulator-notify-scheduler", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopped:
                        return
                    batches, next_due = self._due_batches()
                    if batches:
                        break
                    self._cond.wait(None if next_due is None else max(0.0, next_due - time.monotonic()))
                self._in_flight += sum(len(b) for b in batches)
            for batch in batches:
                try:
                    self._pool.submit(self._send, batch)
                except RuntimeError:  # the pool was shut down
                    return

    def _due_batches(self) -> tuple[list[list[Pending]], float | None]:
        """Pop one batch (at most batch_size, one kind) per idle URL that has due items; and when the next item for
        an idle URL falls due (None: nothing to wait for until a new item or a finished POST)."""
        now = time.monotonic()
        taken: dict[str, list[Pending]] = {}
        kept, next_due = [], None
        size = max(1, int(self.settings.batch_size))
        while self._heap:
            due, seq, item = heapq.heappop(self._heap)
            batch = taken.get(item.url)
            if item.url in self._busy_urls or due > now or \
                    (batch is not None and (len(batch) >= size or batch[0].kind != item.kind)):
                kept.append((due, seq, item))
                if item.url not in self._busy_urls and due > now:
                    next_due = due if next_due is None else min(next_due, due)
                continue
            taken.setdefault(item.url, []).append(item)
        for entry in kept:
            heapq.heappush(self._heap, entry)
        self._busy_urls.update(taken)
        return list(taken.values()), next_due

    # --- one POST ------------------------------------------------------------------------------------------
    def _send(self, batch: list[Pending]) -> None:
        head = batch[0]
        attempt = max(p.attempts for p in batch) + 1
        outcome = self.client.notify(head.url, {"value": [p.notification for p in batch]})
        with self._cond:
            self._in_flight -= len(batch)
            self._busy_urls.discard(head.url)
            self._cond.notify()
            if head.generation != self._generation:
                return
            retry_at, dropped = None, 0
            if not outcome.delivered:
                now = time.monotonic()
                for item in batch:
                    item.attempts += 1
                    delay = min(self.settings.retry_initial * self.settings.retry_factor ** (item.attempts - 1),
                                self.settings.retry_max_delay)
                    if now + delay - item.first_queued > self.settings.retry_window:
                        dropped += 1
                        continue
                    retry_at = now + delay
                    heapq.heappush(self._heap, (retry_at, next(self._seq), item))
                self._cond.notify()
            result = "delivered" if outcome.delivered else "dropped" if dropped == len(batch) else "retrying"
            self.log.add(kind=head.kind, url=head.url, subscriptionIds=sorted({p.subscription_id for p in batch}),
                         attempt=attempt, status=outcome.status, error=outcome.error,
                         elapsedMs=round(outcome.elapsed * 1000, 1), outcome=result,
                         retryInSeconds=None if retry_at is None else round(retry_at - time.monotonic(), 3),
                         payload={"value": [p.notification for p in batch]})
