"""Graph /users, /users/{id} and /users/delta (change-log based, select-aware)."""

import time

from emulator.directory import USER_DEFAULT_SELECT, USER_PROPERTIES
from emulator.graph_common import (
    GraphError,
    context_url,
    graph_error_response,
    graph_json,
    page_link,
    parse_select,
    parse_top,
    project,
)
from emulator.odata_filter import compile_filter, id_filter
from emulator.util import decode_token, encode_token

USER_READ = ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
             "User.ReadBasic.All")
DELTA_TOKEN_TTL = 7 * 86400
ORDERABLE = {"displayName", "userPrincipalName"}


def register(router) -> None:
    router.add("GET", "/v1.0/users/delta", users_delta, perms=USER_READ, delta="directory")
    router.add("GET", "/v1.0/users", list_users, perms=USER_READ)
    router.add("GET", "/v1.0/users/{user_id}", get_user, perms=USER_READ)


def is_advanced(req) -> bool:
    return (req.header("consistencylevel") or "").lower() == "eventual" and \
        (req.query.get("$count") or "").lower() == "true"


def list_users(emu, req, params, claims):
    select = parse_select(req, USER_PROPERTIES, USER_DEFAULT_SELECT, "user")
    top = parse_top(req)
    advanced = is_advanced(req)
    text = req.query.get("$filter")
    predicate = compile_filter(text, advanced) if text else None
    if "$search" in req.query and (req.header("consistencylevel") or "").lower() != "eventual":
        raise GraphError(400, "Request_UnsupportedQuery", "Request with $search query parameter only works through "
                                                          "MSGraph with a special request header: "
                                                          "'ConsistencyLevel: eventual'")
    orderby = _orderby(req, advanced, bool(text))
    token = decode_token(req.query["$skiptoken"]) if "$skiptoken" in req.query else {}
    if token is None:
        raise GraphError(400, "Request_BadRequest", "The specified page token value has expired or is invalid.")
    state = emu.state
    with state.lock:
        if orderby:
            prop, desc = orderby
            matches = [u for u in state.users.live() if predicate is None or predicate(u)]
            matches.sort(key=lambda u: ((u.get(prop) or "").lower(), u["id"]), reverse=desc)
            offset = int(token.get("o", 0))
            users, more = matches[offset: offset + top], offset + top < len(matches)
            next_token = {"o": offset + top} if more else None
        else:
            users, last = state.users.page_after(token.get("a"), top, predicate)
            next_token = {"a": last} if last else None
        value = [project(u, select) for u in users]
        count = None
        if advanced:
            count = sum(1 for u in state.users.live() if predicate is None or predicate(u))
    fragment = "users" if "$select" not in req.query else f"users({req.query['$select']})"
    body = {"@odata.context": context_url(req, fragment)}
    if count is not None:
        body["@odata.count"] = count
    if next_token:
        query = {k: v for k, v in req.query.items() if k != "$skiptoken"}
        query["$skiptoken"] = encode_token(next_token)
        body["@odata.nextLink"] = page_link(req, "/v1.0/users", query)
    body["value"] = value
    return graph_json(body)


def _orderby(req, advanced: bool, filtered: bool):
    raw = req.query.get("$orderby")
    if not raw:
        return None
    prop, _, direction = raw.strip().partition(" ")
    if prop not in ORDERABLE:
        raise GraphError(400, "Request_UnsupportedQuery", "Sorting not supported for current query.")
    if filtered and not advanced:
        raise GraphError(400, "Request_UnsupportedQuery", "Sorting not supported for current query.")
    return prop, direction.strip().lower() == "desc"


def get_user(emu, req, params, claims):
    select = parse_select(req, USER_PROPERTIES, USER_DEFAULT_SELECT, "user")
    state = emu.state
    with state.lock:
        user = state.users.get(params["user_id"])
        if user is None:
            raise GraphError(404, "Request_ResourceNotFound",
                             f"Resource '{params['user_id']}' does not exist or one of its queried "
                             "reference-property objects are not present.")
        body = project(user, select)
    fragment = "users/$entity" if "$select" not in req.query else f"users({req.query['$select']})/$entity"
    return graph_json({"@odata.context": context_url(req, fragment), **body})


# --- delta ------------------------------------------------------------------------------------------
def delta_expired_response(emu, req, mode: str, outlook: bool = False):
    """The documented resets: 400 syncStateNotFound, or 410 Gone with a Location holding the delta URL of the
    initial query (same $select/$filter) with an empty `$deltatoken=`. Outlook spells it SyncStateNotFound."""
    code = "SyncStateNotFound" if outlook else "syncStateNotFound"
    if mode == "410":
        token = decode_token(req.query.get("$deltatoken") or req.query.get("$skiptoken") or "") or {}
        query = {"$select": ",".join(token["s"])} if token.get("s") else {}
        if token.get("f"):
            query["$filter"] = " or ".join(f"id eq '{i}'" for i in token["f"])
        query["$deltatoken"] = ""
        return graph_error_response(req, 410, code, "The sync state generation is not valid. Start a new delta "
                                                    "round from the Location URL (full resync).",
                                    [("Location", page_link(req, req.path, query))])
    return graph_error_response(req, 400, code, "Sync state not found: the delta token has expired or is invalid. "
                                                "Start a new round without a token (full resync).")


def _page_size(req) -> int:
    prefer = req.header("prefer") or ""
    for part in prefer.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "odata.maxpagesize" and value.isdigit():
            return max(1, min(999, int(value)))
    return 100


def users_delta(emu, req, params, claims):
    state = emu.state
    raw = req.query.get("$deltatoken") or req.query.get("$skiptoken")
    if raw and raw != "latest":
        token = decode_token(raw)
        if token is None or token.get("k") != "users":
            raise GraphError(400, "Request_BadRequest", "The specified delta token value is invalid.")
        if token.get("e") != emu.delta_epoch or time.time() - token.get("t", 0) > DELTA_TOKEN_TTL:
            return delta_expired_response(emu, req, emu.delta_expired_mode)
    else:
        if "$top" in req.query or "$orderby" in req.query:
            raise GraphError(400, "Request_UnsupportedQuery", "Unsupported query: $top and $orderby are not "
                                                              "supported with delta.")
        select = parse_select(req, USER_PROPERTIES, USER_DEFAULT_SELECT, "user")
        ids = None
        if req.query.get("$filter"):
            ids = id_filter(req.query["$filter"])
            if ids is None or len(ids) > 50:
                raise GraphError(400, "Request_UnsupportedQuery", "Unsupported query: delta supports only "
                                                                  "'id eq' filters (at most 50 ids).")
        with state.lock:
            seq = state.users.seq
        token = {"k": "users", "e": emu.delta_epoch, "t": int(time.time()), "s": select, "f": ids}
        if raw == "latest":
            return _delta_page(req, [], None, {**token, "seq": seq})
        token.update(p="init", end=seq, a=None)
    if "seq" in token and "p" not in token:  # a deltaLink: start a change round
        with state.lock:
            token.update(p="chg", start=token.pop("seq"), end=state.users.seq, o=0)
    return _delta_round(emu, req, token)


def _delta_round(emu, req, token: dict):
    state = emu.state
    select, size = token["s"], _page_size(req)
    wanted = set(token["f"]) if token.get("f") else None
    with state.lock:
        users = state.users
        if token["p"] == "init":
            predicate = (lambda u: u["id"] in wanted) if wanted else None
            page, last = users.page_after(token["a"], size, predicate)
            value = [project(u, select) for u in page]
            next_token = {**token, "a": last} if last else None
        else:
            changed = users.changes_between(token["start"], token["end"], frozenset(select))
            if wanted:
                changed = [i for i in changed if i in wanted]
            offset = token["o"]
            value = []
            for user_id in changed[offset: offset + size]:
                status = users.state_of(user_id)
                if status == "live":
                    value.append(project(users.by_id[user_id], select))
                else:
                    value.append({"id": user_id, "@removed": {"reason": status}})
            next_token = {**token, "o": offset + size} if offset + size < len(changed) else None
    if next_token:
        return _delta_page(req, value, next_token, None)
    done = {k: token[k] for k in ("k", "e", "s", "f")}
    done.update(t=int(time.time()), seq=token["end"])
    return _delta_page(req, value, None, done)


def _delta_page(req, value, next_token, delta_token):
    body = {"@odata.context": context_url(req, "users")}
    if next_token:
        body["@odata.nextLink"] = page_link(req, "/v1.0/users/delta", {"$skiptoken": encode_token(next_token)})
    else:
        body["@odata.deltaLink"] = page_link(req, "/v1.0/users/delta", {"$deltatoken": encode_token(delta_token)})
    body["value"] = value
    return graph_json(body)
