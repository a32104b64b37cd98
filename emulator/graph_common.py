"""Shared Graph plumbing: error bodies, $select/$top parsing, paging links, @odata.context."""

from urllib.parse import quote, urlencode

from emulator.util import utcnow
from emulator.web import GRAPH_JSON_TYPE, json_response


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or []


def graph_error_response(req, status: int, code: str, message: str, headers=None):
    body = {"error": {"code": code, "message": message, "innerError": {
        "date": utcnow().strftime("%Y-%m-%dT%H:%M:%S"), "request-id": req.request_id,
        "client-request-id": req.client_request_id}}}
    return json_response(status, body, headers, content_type=GRAPH_JSON_TYPE)


def format_retry_after(value) -> str:
    """Retry-After as Graph sends it: integer seconds ("7"), decimal seconds ("2.128"), or an HTTP date (kept)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def too_many_requests(req, retry_after=None):
    """429 exactly like Microsoft's throttling sample; Retry-After only when given (it may be absent)."""
    headers = [("Retry-After", format_retry_after(retry_after))] if retry_after is not None else []
    body = {"error": {"code": "TooManyRequests", "message": "Please retry again later.", "innerError": {
        "code": "429", "date": utcnow().strftime("%Y-%m-%dT%H:%M:%S"), "message": "Please retry after",
        "request-id": req.request_id, "status": "429", "client-request-id": req.client_request_id}}}
    return json_response(429, body, headers, content_type=GRAPH_JSON_TYPE)


def graph_json(payload, status: int = 200, headers=None):
    return json_response(status, payload, headers, content_type=GRAPH_JSON_TYPE)


def selected(req, allowed, type_name: str, code: str = "Request_BadRequest") -> list[str] | None:
    """The $select fields as asked (None without $select); a name not in `allowed` is Graph's 400 (Outlook's
    endpoints answer with code RequestBroker--ParseUri)."""
    raw = req.query.get("$select")
    if not raw:
        return None
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    for name in fields:
        if name not in allowed:
            raise GraphError(400, code,
                             f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.")
    return fields


def parse_select(req, allowed: frozenset, default: tuple, type_name: str) -> list[str]:
    fields = selected(req, allowed, type_name)
    if fields is None:
        return list(default)
    if "id" not in fields:
        fields.append("id")  # Graph always returns id
    return fields


def parse_top(req, default: int = 100, maximum: int = 999) -> int:
    raw = req.query.get("$top")
    if raw is None:
        return default
    try:
        top = int(raw)
    except ValueError:
        raise GraphError(400, "Request_BadRequest", f"Invalid value '{raw}' for query parameter '$top'.") from None
    if top < 1 or top > maximum:
        raise GraphError(400, "Request_UnsupportedQuery",
                         f"Invalid page size specified: '{top}'. Must be between 1 and {maximum} inclusive.")
    return top


def page_link(req, path: str, params: dict) -> str:
    """An absolute Graph URL on this emulator (like graph.microsoft.com links, but our host)."""
    query = urlencode(params, quote_via=quote, safe="$,'()")
    return f"{req.base_url}{path}" + (f"?{query}" if query else "")


def context_url(req, fragment: str) -> str:
    return f"{req.base_url}/v1.0/$metadata#{fragment}"


def project(obj: dict, fields) -> dict:
    return {name: obj.get(name) for name in fields}
