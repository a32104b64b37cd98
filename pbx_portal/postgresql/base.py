"""Django's PostgreSQL backend, with every database round trip bounded.

TCP keepalives and tcp_user_timeout (pbx_portal.database) end a connection whose peer went silent. A peer that
still acknowledges every packet but never answers (a frozen proxy or pooler) needs more: every round trip goes
through psycopg's Connection.wait(), so this backend's connections wait at most DATABASE_HANG_TIMEOUT seconds at a
time. Then a fresh connection asks the server "SELECT 1" (given the same time): if it answers, the server is
alive and merely busy, and the wait goes on (up to the statement timeout, after which PostgreSQL itself would
have answered); if not, the connection is dropped and the caller gets an OperationalError (the page answers 503).
For DATABASE_HANG_TIMEOUT seconds after a failed probe, new connections to that server fail at once instead of
each waiting out the connect timeout.
"""

import logging
import math
import threading
import time
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import errors

from pbx_portal.database import statement_timeout_of

logger = logging.getLogger(__name__)

MAX_SILENCE = 60.0  # seconds between probes of a server that answered the last one
_verdicts: dict[tuple, tuple[float, bool]] = {}  # server -> (when, answered), this process's last probe
_verdicts_lock = threading.Lock()


def _server(params: dict) -> tuple:
    return params.get("host"), params.get("port"), params.get("dbname")


def _recent_verdict(server: tuple, within: float) -> bool | None:
    with _verdicts_lock:
        when, answered = _verdicts.get(server, (0.0, True))
    return answered if time.monotonic() - when < within else None


def _record(server: tuple, answered: bool) -> None:
    with _verdicts_lock:
        _verdicts[server] = (time.monotonic(), answered)


@dataclass
class RoundTripBounds:
    hang_timeout: float
    limit: float  # the statement timeout plus hang_timeout; 0: none
    probe_params: dict = field(default_factory=dict, repr=False)  # empty: this is a probe, never probe again

    def server_answers(self) -> bool:
        """Whether a fresh connection gets an answer to SELECT 1 in time (remembered for hang_timeout seconds)."""
        if not self.probe_params:
            return False
        server = _server(self.probe_params)
        recent = _recent_verdict(server, self.hang_timeout)
        if recent is not None:
            return recent
        params = {**self.probe_params, "connect_timeout": max(2, math.ceil(self.hang_timeout))}
        try:
            probe = psycopg.Connection.connect(**params)
        except psycopg.Error as exc:
            answered = getattr(exc, "sqlstate", None) is not None  # it refused, but it answered
        else:
            try:
                bound(probe, RoundTripBounds(hang_timeout=self.hang_timeout, limit=0))
                probe.execute("SELECT 1")
                answered = True
            except psycopg.Error as exc:
                answered = getattr(exc, "sqlstate", None) is not None
            finally:
                probe.close()
        _record(server, answered)
        return answered


class BoundedConnection(psycopg.Connection):
    """psycopg's Connection whose round trips (all of them go through wait()) cannot hang."""

    bounds: RoundTripBounds | None = None

    def wait(self, gen, interval=None, timeout=None):
        kwargs = {} if interval is None else {"interval": interval}
        if self.bounds is None or timeout is not None:  # psycopg's own timed waits (cancel, notifies)
            return super().wait(gen, timeout=timeout, **kwargs)
        bounds, started = self.bounds, time.monotonic()
        silence = bounds.hang_timeout
        while True:
            try:
                return super().wait(gen, timeout=silence, **kwargs)
            except errors._WaitTimeout:
                waited = time.monotonic() - started
                if (bounds.limit and waited >= bounds.limit) or not bounds.server_answers():
                    self.pgconn.finish()  # the protocol state is unknown: this connection is done
                    logger.error("PostgreSQL did not answer for %.1f s: connection dropped", waited)
                    raise psycopg.OperationalError(
                        f"the database did not answer within {waited:.1f} s (connection dropped)") from None
                silence = min(silence * 2, MAX_SILENCE)
                if bounds.limit:
                    silence = max(0.1, min(silence, bounds.limit - waited))


def bound(connection: psycopg.Connection, bounds: RoundTripBounds) -> BoundedConnection:
    connection.__class__ = BoundedConnection  # the same object; every later round trip is bounded
    connection.bounds = bounds
    return connection


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        hang_timeout = settings.DATABASE_HANG_TIMEOUT
        if _recent_verdict(_server(conn_params), hang_timeout) is False:
            raise psycopg.OperationalError(
                f"the database did not answer a check less than {hang_timeout:g} s ago; not waiting for it again yet")
        try:
            connection = super().get_new_connection(conn_params)
        except psycopg.errors.ConnectionTimeout:
            _record(_server(conn_params), False)
            raise
        statement_timeout = statement_timeout_of(self.settings_dict.get("OPTIONS", {}))
        return bound(connection, RoundTripBounds(
            hang_timeout=hang_timeout, limit=statement_timeout + hang_timeout if statement_timeout else 0,
            probe_params=dict(conn_params)))
