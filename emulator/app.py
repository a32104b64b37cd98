"""The Emulator: routes every request through counting, faults, Graph auth, permissions and throttling."""

import collections
import re
import threading
import time

import jwt

from emulator import (
    authority,
    control,
    control_subscriptions,
    graph_batch,
    graph_contacts,
    graph_groups,
    graph_misc,
    graph_presence,
    graph_subscriptions,
    graph_users,
)
from emulator.directory import DirectoryError
from emulator.faults import CONNECTION_KINDS, Faults
from emulator.graph_common import GraphError, format_retry_after, graph_error_response, too_many_requests
from emulator.notifier import Notifier
from emulator.state import State
from emulator.throttling import Throttle
from emulator.tokens import GRAPH_APP_ID, GRAPH_RESOURCE, Signer
from emulator.util import new_guid
from emulator.web import Response, Router, json_response

WWW_AUTHENTICATE = ('Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
                    f'client_id="{GRAPH_APP_ID}"')


class Emulator:
    def __init__(self, config, base_url: str = ""):
        self.config = config
        self.base_url = base_url
        self.signer = Signer()
        self.state = State(config)
        self.notifier = Notifier(config)  # change notifications: subscriptions, change feed, deliveries
        self.notifier.attach(self.state)
        self.faults = Faults(config.seed)
        self.throttle = Throttle(config.throttle_limit, config.throttle_window)
        self.presence_throttle = Throttle(graph_presence.RATE_LIMIT, graph_presence.RATE_WINDOW)
        self.delta_epoch = 1
        self.delta_expired_mode = "400"
        self.auth_codes: dict[str, dict] = {}
        self.sessions: dict[str, str] = {}  # sign-in cookie -> user id
        self.refresh_tokens: dict[str, dict] = {}
        self._counts_lock = threading.Lock()
        self.clear_counts()
        self.router = Router()
        for module in (control, control_subscriptions, authority, graph_users, graph_groups, graph_contacts,
                       graph_presence, graph_misc, graph_batch, graph_subscriptions):
            module.register(self.router)

    # --- lifecycle ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the seeded state; clears faults, counters and throttling. Old delta tokens expire."""
        new_state = State(self.config)
        self.notifier.reset(new_state)
        with self.state.lock:
            self.state = new_state
        self.faults.clear()
        self.throttle.configure(self.config.throttle_limit, self.config.throttle_window, "integer")
        self.throttle.throttled = 0
        self.presence_throttle.configure(graph_presence.RATE_LIMIT, graph_presence.RATE_WINDOW, "integer")
        self.presence_throttle.throttled = 0
        self.delta_epoch += 1
        self.delta_expired_mode = "400"
        self.auth_codes.clear()
        self.sessions.clear()
        self.refresh_tokens.clear()
        self.clear_counts()

    def clear_counts(self) -> None:
        with self._counts_lock:
            self.counts = {"total": 0, "by_route": collections.Counter(), "by_path": collections.Counter()}

    def count(self, route_name: str, method: str, path: str) -> None:
        with self._counts_lock:
            self.counts["total"] += 1
            self.counts["by_route"][route_name] += 1
            self.counts["by_path"][f"{method} {path}"] += 1

    def counts_snapshot(self) -> dict:
        with self._counts_lock:
            return {"total": self.counts["total"], "by_route": dict(self.counts["by_route"]),
                    "by_path": dict(self.counts["by_path"])}

    # --- dispatch ----------------------------------------------------------------------------
    def dispatch(self, req) -> Response:
        req.path = normalize_path(req.path)
        req.base_url = self.base_url
        req.request_id = new_guid()
        req.client_request_id = req.header("client-request-id") or req.request_id
        route, params = self.router.match(req.method, req.path)
        is_graph = req.path.lower().startswith(("/v1.0/", "/beta/"))
        if route is None:
            if params:
                return json_response(405, {"error": "method_not_allowed", "allowed": params},
                                     [("Allow", ", ".join(params))])
            if is_graph:
                self.count(f"{req.method} (unknown)", req.method, req.path)
                segment = req.path.strip("/").split("/")[-1]
                return self._graph_headers(req, graph_error_response(
                    req, 400, "BadRequest", f"Resource not found for the segment '{segment}'."))
            return json_response(404, {"error": "not_found", "path": req.path})
        kind = route.meta.get("kind", "graph")
        if kind == "control":
            return self._call(route, req, params)
        self.count(route.name, req.method, req.path)
        target = req.path + ("?" + req.raw_query if req.raw_query else "")
        fault = self.faults.take(req.method, target, bool(route.meta.get("delta") and _has_delta_token(req)))
        if fault and fault["kind"] == "reset":
            return Response(reset=True)  # before any answer, and before the request is acted on
        response = None
        if fault:
            response = self._fault_response(fault, req, kind, route.meta.get("delta"))
        if response is None:
            response = self._graph(route, req, params) if kind == "graph" else self._call(route, req, params)
            self.faults.repeat_next_link(req.method, target, response)
        if fault and fault["kind"] == "drop":
            response.drop_after = max(1, len(response.body) // 2)
        return self._graph_headers(req, response) if kind == "graph" else response

    def dispatch_subrequest(self, req, claims) -> Response:
        """A $batch sub-request: the caller is already authenticated; counted, faulted and throttled alone."""
        req.path = normalize_path(req.path)
        req.base_url = self.base_url
        req.request_id = new_guid()
        req.client_request_id = req.header("client-request-id") or req.request_id
        route, params = self.router.match(req.method, req.path)
        if route is None or route.meta.get("kind", "graph") != "graph" or route.template == "/v1.0/$batch":
            segment = req.path.strip("/").split("/")[-1]
            return graph_error_response(req, 400, "BadRequest", f"Resource not found for the segment '{segment}'.")
        self.count(route.name, req.method, req.path)
        target = req.path + ("?" + req.raw_query if req.raw_query else "")
        fault = self.faults.take(req.method, target, bool(route.meta.get("delta") and _has_delta_token(req)))
        if fault and fault["kind"] not in CONNECTION_KINDS:
            response = self._fault_response(fault, req, "graph", route.meta.get("delta"))
            if response is not None:
                return self._graph_headers(req, response)
        response = self._graph(route, req, params, claims)
        self.faults.repeat_next_link(req.method, target, response)
        return self._graph_headers(req, response)

    def _call(self, route, req, params, claims=None) -> Response:
        try:
            return route.handler(self, req, params, claims)
        except GraphError as exc:
            return graph_error_response(req, exc.status, exc.code, exc.message, exc.headers)
        except DirectoryError as exc:
            return graph_error_response(req, exc.status, exc.code, exc.message)

    def _graph(self, route, req, params, claims=None) -> Response:
        if claims is None:
            claims, failure = self.authenticate(req)
            if failure is not None:
                return failure
        perms = route.meta.get("perms")
        if perms:
            granted = set(claims.get("roles") or ()) | set((claims.get("scp") or "").split())
            if not granted.intersection(perms):
                code, message = route.meta.get("denied", ("Authorization_RequestDenied",
                                                          "Insufficient privileges to complete the operation."))
                return graph_error_response(req, 403, code, message)
        wait = self.throttle.check(claims.get("appid", "?")) if route.meta.get("throttled", True) else None
        if wait is not None:
            return too_many_requests(req, self.throttle.retry_after_value(wait))
        return self._call(route, req, params, claims)

    def authenticate(self, req):
        """(claims, None) or (None, 401 response)."""
        def fail(message):
            return None, graph_error_response(req, 401, "InvalidAuthenticationToken", message,
                                              [("WWW-Authenticate", WWW_AUTHENTICATE)])
        scheme, _, token = (req.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return fail("Access token is empty.")
        try:
            claims = self.signer.verify_access_token(token.strip())
        except jwt.ExpiredSignatureError:
            return fail("Lifetime validation failed, the token is expired.")
        except jwt.InvalidTokenError:
            return fail("Access token validation failure.")
        if claims.get("aud") not in (GRAPH_RESOURCE, GRAPH_RESOURCE + "/", GRAPH_APP_ID):
            return fail("Access token validation failure. Invalid audience.")
        if claims.get("tid") != self.state.tenant_id:
            return fail("Access token validation failure. Invalid issuer.")
        if not claims.get("roles") and not claims.get("scp"):
            return fail("Either scp or roles claim need to be present in the token.")
        return claims, None

    def _fault_response(self, fault, req, kind, delta_flavor=None) -> Response | None:
        name = fault["kind"]
        if name == "delay":
            time.sleep(fault["delay"])
            return None
        if name == "drop":
            return None
        retry_after = fault.get("retry_after")
        headers = [("Retry-After", format_retry_after(retry_after))] if retry_after is not None else []
        if name == "429":
            if kind != "graph":
                return json_response(429, {"error": "temporarily_unavailable",
                                           "error_description": "AADSTS90037: Too many requests."}, headers)
            return too_many_requests(req, retry_after)
        if name == "503":
            if kind != "graph":
                return json_response(503, {"error": "temporarily_unavailable",
                                           "error_description": "AADSTS90033: A transient error has occurred."},
                                     headers)
            return graph_error_response(req, 503, "serviceNotAvailable",
                                        "Service is temporarily unavailable. Please retry.", headers)
        return graph_users.delta_expired_response(self, req, "410" if name.endswith("410") else "400",
                                                  outlook=delta_flavor == "outlook")

    def _graph_headers(self, req, response: Response) -> Response:
        response.headers += [
            ("request-id", req.request_id), ("client-request-id", req.client_request_id),
            ("x-ms-ags-diagnostic", '{"ServerInfo":{"DataCenter":"Emulator","Slice":"E","Ring":"0",'
                                    '"ScaleUnit":"000","RoleInstance":"EMU"}}'),
            ("Strict-Transport-Security", "max-age=31536000"), ("Cache-Control", "no-cache"), ("OData-Version", "4.0"),
        ]
        return response


def _has_delta_token(req) -> bool:
    return req.query.get("$deltatoken", "") not in ("", "latest") or bool(req.query.get("$skiptoken"))


_SLASHES = re.compile(r"//+")
_DELTA_FUNCTION = re.compile(r"/(?:microsoft\.graph\.)?delta\(\)(?=/|$)", re.IGNORECASE)


def normalize_path(path: str) -> str:
    """What Graph treats as the same resource: empty segments (`/v1.0//users`, sent by the SDKs with an httpx
    base URL) and the delta function spelled `delta()` or `microsoft.graph.delta()` (the SDKs' form)."""
    if "//" in path:
        path = _SLASHES.sub("/", path)
    if "delta(" in path.lower():
        path = _DELTA_FUNCTION.sub("/delta", path)
    return path
