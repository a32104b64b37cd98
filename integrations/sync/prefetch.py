"""Read ahead: fetch the next page from Graph while the current one is planned and written.

The producer thread only does HTTP (the Graph client is thread-safe); database work stays on the caller's thread.
At most `depth` pages wait in memory. An error in the producer is raised in the consumer at the point it happened,
so a failed read still stops the run before anything is removed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException):
        self.exc = exc


def read_ahead(source: Iterable[T], depth: int = 1) -> Iterator[T]:
    pending: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        pending.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            pending.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
            pending.put(_Failure(exc))

    thread = threading.Thread(target=produce, name="graph-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = pending.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)
