"""Liveness/readiness probe for load balancers and docker-compose: the database and Redis answer, quickly.

Each check runs in its own short-lived thread and is given HEALTHZ_TIMEOUT seconds, so a hung database or Redis
turns into a 503 within seconds instead of holding the web worker. While a check of a service is still stuck,
later probes report that service unavailable at once instead of starting another thread.
"""

import threading
import time
from concurrent.futures import Future

import redis
from django.conf import settings
from django.db import connections
from django.http import JsonResponse

_stuck: dict[str, Future] = {}
_lock = threading.Lock()


def _database_ok() -> None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connections.close_all()  # this thread's connections only


def _redis_ok() -> None:
    timeout = settings.REDIS_TIMEOUT
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def _start(name: str, check) -> Future | None:
    """Run the check in a daemon thread; None while an earlier check of this service is still stuck."""
    with _lock:
        previous = _stuck.get(name)
        if previous is not None and not previous.done():
            return None
        future: Future = Future()
        _stuck[name] = future

    def run():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            future.set_exception(exc)
        else:
            future.set_result(True)

    threading.Thread(target=run, name=f"healthz-{name}", daemon=True).start()
    return future


def _passed(future: Future | None, deadline: float) -> bool:
    if future is None:
        return False
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic())) is True
    except Exception:  # noqa: BLE001 - timeout or failure
        return False


def healthz(request):
    checks = {"database": _database_ok}
    if settings.REDIS_URL:
        checks["redis"] = _redis_ok
    deadline = time.monotonic() + settings.HEALTHZ_TIMEOUT  # one deadline: the checks run side by side
    futures = {name: _start(name, check) for name, check in checks.items()}
    results = {name: "ok" if _passed(future, deadline) else "unavailable" for name, future in futures.items()}
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **results}, status=200 if healthy else 503)
