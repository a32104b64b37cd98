"""Request/response values and a small router shared by the authority, Graph and control handlers."""

import dataclasses
import json
import re
from urllib.parse import parse_qsl, unquote


@dataclasses.dataclass
class Request:
    method: str
    path: str
    raw_query: str
    headers: dict  # lower-cased names
    body: bytes = b""
    query: dict = dataclasses.field(default_factory=dict)
    base_url: str = ""
    request_id: str = ""
    client_request_id: str = ""

    def __post_init__(self):
        if not self.query and self.raw_query:
            self.query = dict(parse_qsl(self.raw_query, keep_blank_values=True))

    def header(self, name: str, default=None):
        return self.headers.get(name.lower(), default)

    def json(self):
        if not self.body:
            return None
        return json.loads(self.body)

    def form(self) -> dict:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))


@dataclasses.dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: list = dataclasses.field(default_factory=list)
    drop_after: int | None = None  # fault injection: send this many body bytes, then cut the connection
    reset: bool = False  # fault injection: close the connection before sending anything

    def header(self, name: str):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()] + [(name, value)]


JSON_TYPE = "application/json; charset=utf-8"
GRAPH_JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"


def json_response(status: int, payload, headers=None, content_type: str = JSON_TYPE) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(status, body, [("Content-Type", content_type), *(headers or [])])


def html_response(status: int, html: str, headers=None) -> Response:
    return Response(status, html.encode(), [("Content-Type", "text/html; charset=utf-8"), *(headers or [])])


def redirect(location: str, headers=None) -> Response:
    return Response(302, b"", [("Location", location), *(headers or [])])


@dataclasses.dataclass
class Route:
    method: str
    template: str
    regex: re.Pattern
    handler: object
    meta: dict

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


class Router:
    def __init__(self):
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler, **meta) -> None:
        pattern, pos = "", 0
        for m in re.finditer(r"\{(\w+)\}", template):
            pattern += re.escape(template[pos:m.start()]) + f"(?P<{m.group(1)}>[^/]+?)"
            pos = m.end()
        pattern += re.escape(template[pos:])
        self.routes.append(Route(method, template, re.compile(f"^{pattern}/?$", re.IGNORECASE), handler, meta))

    def match(self, method: str, path: str):
        """(route, params) or (None, allowed methods for that path)."""
        allowed = []
        for route in self.routes:
            m = route.regex.match(path)
            if m:
                if route.method == method:
                    return route, {k: unquote(v) for k, v in m.groupdict().items()}
                allowed.append(route.method)
        return None, allowed
