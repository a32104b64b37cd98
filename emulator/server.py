"""HTTPS server (threaded, HTTP/1.1 keep-alive) around the Emulator, plus CA and tenant.json set-up."""

import json
import logging
import socket
import ssl
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import trustme

from emulator.app import Emulator
from emulator.config import EmulatorConfig
from emulator.util import iso
from emulator.web import Request

logger = logging.getLogger(__name__)
__all__ = ["EmulatorConfig", "EmulatorServer"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "EntraGraphEmulator/1.0"
    timeout = 120  # idle keep-alive connections are closed after this
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid the 40 ms delayed-ACK stall

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        raw_path, _, raw_query = self.path.partition("?")
        if raw_path.startswith(("http://", "https://")):  # absolute-form request target
            raw_path = "/" + raw_path.split("/", 3)[-1]
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(self.command, unquote(raw_path), raw_query, headers, body)
        try:
            resp = self.server.emulator.dispatch(req)
        except Exception:  # a bug in the emulator must not kill the connection silently
            logger.exception("emulator error on %s %s", self.command, self.path)
            from emulator.web import json_response
            resp = json_response(500, {"error": "emulator_error", "path": self.path})
        if resp.reset or (resp.drop_after is not None and not resp.body):
            # Fault injection: no answer at all (reset: before the request was acted on; a drop of an empty answer:
            # after). SO_LINGER 0 makes the close a TCP reset.
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            return
        self.send_response(resp.status)
        for name, value in resp.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        if resp.drop_after is not None:
            self.end_headers()
            self.wfile.write(resp.body[: resp.drop_after])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def log_message(self, fmt, *args):
        if not self.server.quiet:
            logger.info("%s %s", self.address_string(), fmt % args)


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, ssl_context, emulator, quiet=True):
        self.ssl_context, self.emulator, self.quiet = ssl_context, emulator, quiet
        super().__init__(address, _Handler)

    def finish_request(self, request, client_address):
        """TLS handshake happens here, in the connection's own thread, not in the accept loop."""
        request.settimeout(30)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            request.close()
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        except (ssl.SSLError, ConnectionError, TimeoutError):
            pass
        finally:
            tls.close()

    def handle_error(self, request, client_address):
        logger.debug("connection error from %s", client_address, exc_info=True)


class EmulatorServer:
    """Start with .start(); .base_url, .ca_path, .tenant and .emulator are then available."""

    def __init__(self, config: EmulatorConfig):
        self.config = config
        self.data_dir = Path(config.data_dir)
        self.ca_path = self.data_dir / "ca.pem"
        self.emulator: Emulator | None = None
        self.tenant: dict = {}
        self._httpd = None
        self._thread = None

    def start(self, background: bool = True) -> "EmulatorServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ssl_context = self._tls_context()
        self.emulator = Emulator(self.config)
        self._httpd = _TLSServer((self.config.host, self.config.port), ssl_context, self.emulator,
                                 quiet=self.config.quiet)
        port = self._httpd.server_address[1]
        host = "127.0.0.1" if self.config.host in ("0.0.0.0", "") else self.config.host
        self.base_url = f"https://{host}:{port}"
        self.port = port
        self.emulator.base_url = self.base_url
        self.tenant = self._write_tenant_json()
        if background:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="emulator", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self.emulator is not None:
            self.emulator.notifier.stop()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def _tls_context(self) -> ssl.SSLContext:
        key_path = self.data_dir / "ca-key.pem"
        if self.ca_path.exists() and key_path.exists():  # keep the CA across restarts (demo browsers trust it)
            ca = trustme.CA.from_pem(self.ca_path.read_bytes(), key_path.read_bytes())
        else:
            ca = trustme.CA(organization_name="Entra Graph Emulator")
            ca.cert_pem.write_to_path(str(self.ca_path))
            ca.private_key_pem.write_to_path(str(key_path))
            key_path.chmod(0o600)
        names = ["127.0.0.1", "localhost", "::1"]
        if self.config.host not in names and self.config.host not in ("0.0.0.0", ""):
            names.append(self.config.host)
        cert = ca.issue_cert(*names)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        cert.configure_cert(context)
        return context

    def _write_tenant_json(self) -> dict:
        state = self.emulator.state
        app = state.app
        secret = app.secrets[0]
        tenant = {
            "tenant_id": state.tenant_id, "tenant_domain": state.domain, "authority_host": self.base_url,
            "graph_url": self.base_url, "ca_bundle": str(self.ca_path.resolve()),
            "app": {"client_id": app.client_id, "client_secret": secret["secretText"], "secret_id": secret["keyId"],
                    "secret_hint": secret["hint"], "secret_expires": iso(secret["endDateTime"]),
                    "redirect_uris": list(app.redirect_uris), "permissions": list(app.permissions)},
            "users": [dict(u) for u in state.demo_users],
            "shared_mailboxes": [state.users.get(i)["userPrincipalName"] for i in state.shared_mailbox_ids],
        }
        path = self.data_dir / "tenant.json"
        path.write_text(json.dumps(tenant, indent=2) + "\n")
        return tenant
