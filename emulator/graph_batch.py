"""Graph JSON batching: POST /v1.0/$batch with up to 20 requests, each counted, faulted and throttled alone."""

import json
from urllib.parse import unquote

from emulator.graph_common import GraphError, graph_json
from emulator.web import Request

MAX_REQUESTS = 20
SUB_HEADERS = ("content-type", "retry-after", "location", "preference-applied", "cache-control", "odata-version")


def register(router) -> None:
    router.add("POST", "/v1.0/$batch", batch, throttled=False)


def batch(emu, req, params, claims):
    try:
        payload = req.json()
    except ValueError:
        payload = None
    items = payload.get("requests") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise GraphError(400, "BadRequest", "Invalid batch payload format.")
    if len(items) > MAX_REQUESTS:
        raise GraphError(400, "BadRequest", f"Number of requests in the batch exceeds the limit of {MAX_REQUESTS}.")
    ids = [str(item.get("id")) for item in items if isinstance(item, dict)]
    if len(ids) != len(items) or len(set(ids)) != len(ids) or any(not i or i == "None" for i in ids):
        raise GraphError(400, "BadRequest", "Each request in a batch needs a unique, non-empty 'id'.")
    failed: set[str] = set()
    responses = []
    for item in items:
        item_id = str(item["id"])
        depends = item.get("dependsOn") or []
        if any(d in failed for d in depends):
            failed.add(item_id)
            responses.append({"id": item_id, "status": 424, "body": {"error": {
                "code": "FailedDependency", "message": "Dependent request failed."}}})
            continue
        sub = _sub_request(req, item)
        resp = emu.dispatch_subrequest(sub, claims)
        if resp.status >= 400:
            failed.add(item_id)
        entry = {"id": item_id, "status": resp.status,
                 "headers": {k: v for k, v in resp.headers if k.lower() in SUB_HEADERS}}
        if resp.body:
            try:
                entry["body"] = json.loads(resp.body)
            except ValueError:
                entry["body"] = resp.body.decode("utf-8", "replace")
        responses.append(entry)
    return graph_json({"responses": responses})


def _sub_request(parent, item: dict) -> Request:
    url = str(item.get("url") or "")
    if url.startswith(("https://", "http://")):
        url = "/" + url.split("/", 3)[-1]
        url = url[len("/v1.0"):] if url.startswith("/v1.0/") else url
    if not url.startswith("/"):
        url = "/" + url
    path, _, query = url.partition("?")
    headers = {k.lower(): str(v) for k, v in (item.get("headers") or {}).items()}
    headers["authorization"] = parent.header("authorization") or ""
    headers.setdefault("client-request-id", parent.client_request_id)
    body = item.get("body")
    raw = json.dumps(body).encode() if body is not None and not isinstance(body, str) else (body or "").encode()
    return Request(str(item.get("method") or "GET").upper(), "/v1.0" + unquote(path), query, headers, raw)
