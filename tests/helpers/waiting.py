"""Waiting on a condition with a deadline (never a fixed sleep): robust on a loaded machine, quick when idle."""

import time


def wait_until(condition, timeout: float = 30.0, interval: float = 0.05, message: str = "condition"):
    """Poll `condition()` until it returns something truthy (returned); AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)
