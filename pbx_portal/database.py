"""How long the portal waits for PostgreSQL, in one place (README "Security": timeouts).

- connect: DATABASE_CONNECT_TIMEOUT seconds;
- a statement: DATABASE_STATEMENT_TIMEOUT on the web, WORKER_DATABASE_STATEMENT_TIMEOUT in Celery workers
  (PostgreSQL cancels it and answers with an error);
- a connection that stops answering: TCP keepalives and tcp_user_timeout (the kernel notices a silent peer within
  seconds), and pbx_portal.postgresql, which notices a peer that still acknowledges but never answers (a frozen
  proxy) after DATABASE_HANG_TIMEOUT seconds.

Imported by settings.py: nothing here reads Django settings at import time.
"""

import re

from django.core.exceptions import ImproperlyConfigured

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$")
_SECONDS_PER_UNIT = {"ms": 0.001, "s": 1, "min": 60, "h": 3600, "d": 86400, None: 0.001}  # bare numbers: ms
_STATEMENT_TIMEOUT_OPTION = re.compile(r"-c statement_timeout=(\S+)")


def duration_seconds(value: str, *, name: str) -> float:
    """A PostgreSQL duration ("30s", "5min", "300000" = ms) in seconds."""
    match = _DURATION.match(str(value))
    if not match:
        raise ImproperlyConfigured(f"{name} must be a PostgreSQL duration such as 30s, 5min or 300000 (ms); "
                                   f"got {value!r}.")
    return float(match.group(1)) * _SECONDS_PER_UNIT[match.group(2)]


def postgresql_options(*, statement_timeout: str, connect_timeout: int, hang_timeout: float) -> dict:
    """libpq connection keywords: connect and statement timeouts, TCP keepalives and tcp_user_timeout."""
    hang = max(1, round(hang_timeout))
    return {
        "connect_timeout": connect_timeout,
        "options": f"-c statement_timeout={statement_timeout}",
        "keepalives": 1,
        "keepalives_idle": hang,  # a silent connection is probed after this many seconds,
        "keepalives_interval": 1,  # then every second,
        "keepalives_count": 3,  # and given up after three unanswered probes
        "tcp_user_timeout": (hang + 3) * 1000,  # ms: data sent and not acknowledged this long drops the connection
    }


def statement_timeout_of(options: dict) -> float:
    """The statement timeout (s) that connections made with these OPTIONS get; 0 when none is set."""
    match = _STATEMENT_TIMEOUT_OPTION.search(options.get("options", ""))
    return duration_seconds(match.group(1), name="statement_timeout") if match else 0.0


def use_statement_timeout(value: str) -> None:
    """From now on this process's database connections get `value` as statement timeout (open ones are closed).
    Celery workers call it with WORKER_DATABASE_STATEMENT_TIMEOUT when they start."""
    from django.conf import settings
    from django.db import connections

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if "options" not in options:
        return  # not PostgreSQL
    duration_seconds(value, name="statement timeout")
    options["options"] = _STATEMENT_TIMEOUT_OPTION.sub(f"-c statement_timeout={value}", options["options"])
    connections.close_all()
