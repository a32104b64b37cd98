"""A local subscriber endpoint for change-notification tests: it answers Graph's validation handshake the way a test
asks (right, wrong, late, failing) and records every notification POST. Tests wait on it with a deadline.

    with WebhookReceiver() as hook:                       # http://127.0.0.1:PORT (or tls=trustme.CA())
        hook.url("/notify")                               # a notification URL on it
        hook.script("/notify", [(500, 0), (202, 0)])      # answers for the next notification POSTs
        hook.wait_for(lambda: len(hook.notifications("/notify")) >= 1)
"""

import dataclasses
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclasses.dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: bytes
    at: float  # time.monotonic() when it arrived

    @property
    def json(self):
        return json.loads(self.body) if self.body else None


@dataclasses.dataclass
class Handshake:
    """How the endpoint answers `?validationToken=`: "echo" (right), "raw" (the still URL-encoded token: wrong),
    "other" (another text), with `status`, `content_type` and a `delay` in seconds."""
    mode: str = "echo"
    status: int = 200
    content_type: str = "text/plain; charset=utf-8"
    delay: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        receiver: WebhookReceiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        record = Received(parts.path, query, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
        if "validationToken" in query:
            status, content_type, text, delay = receiver.handshake_answer(parts.path, parts.query, query)
        else:
            status, delay = receiver.next_answer(parts.path)
            content_type, text = "text/plain", ""
        receiver.record(record)
        if delay:
            time.sleep(delay)
        payload = text.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the caller gave up (timeout): nothing to answer
            pass

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class WebhookReceiver:
    def __init__(self, tls=None):
        """tls: a trustme.CA; the endpoint then serves https with a certificate that CA issued for 127.0.0.1."""
        self._cond = threading.Condition()
        self.received: list[Received] = []
        self.handshakes: dict[str, Handshake] = {}
        self._scripts: dict[str, list[tuple[int, float]]] = {}
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.issue_cert("127.0.0.1").configure_cert(context)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True)

    def __enter__(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- set-up ----------------------------------------------------------------------------------------------
    def url(self, path: str = "/notify", query: str = "") -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host}:{port}{path}" + (f"?{query}" if query else "")

    def handshake(self, path: str, **how) -> None:
        self.handshakes[path] = Handshake(**how)

    def script(self, path: str, answers: list[tuple[int, float]]) -> None:
        """The (status, delay) for the next notification POSTs to `path`; then 202 at once."""
        with self._cond:
            self._scripts[path] = list(answers)

    # --- what the handler asks ------------------------------------------------------------------------------
    def handshake_answer(self, path: str, raw_query: str, query: dict) -> tuple[int, str, str, float]:
        how = self.handshakes.get(path, Handshake())
        raw = dict(p.split("=", 1) for p in raw_query.split("&") if "=" in p).get("validationToken", "")
        text = {"echo": query["validationToken"], "raw": raw, "other": "not the token"}[how.mode]
        return how.status, how.content_type, text, how.delay

    def next_answer(self, path: str) -> tuple[int, float]:
        with self._cond:
            script = self._scripts.get(path) or []
            return script.pop(0) if script else (202, 0.0)

    def record(self, item: Received) -> None:
        with self._cond:
            self.received.append(item)
            self._cond.notify_all()

    # --- reading ---------------------------------------------------------------------------------------------
    def posts(self, path: str | None = None, *, validations: bool = False) -> list[Received]:
        with self._cond:
            items = list(self.received)
        return [r for r in items if (path is None or r.path == path) and (("validationToken" in r.query)
                                                                          == validations)]

    def notifications(self, path: str | None = None) -> list[dict]:
        """Every notification received (the `value` items of every POST, in arrival order)."""
        return [item for post in self.posts(path) for item in (post.json or {}).get("value", [])]

    def wait_for(self, condition, timeout: float = 30.0, message: str = "condition"):
        """Poll `condition()` (re-checked on every request received) until it is truthy; fail after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {message}; received "
                                     f"{len(self.received)} requests")
            with self._cond:
                self._cond.wait(min(remaining, 0.2))
