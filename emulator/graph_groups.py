"""Graph /groups, /groups/{id}, members and transitiveMembers (nested groups flattened)."""

from emulator.directory import USER_DEFAULT_SELECT, USER_PROPERTIES
from emulator.graph_common import GraphError, context_url, graph_json, page_link, parse_select, parse_top, project
from emulator.odata_filter import compile_filter
from emulator.util import decode_token, encode_token

GROUP_READ = ("GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All",
              "Directory.ReadWrite.All")
GROUP_PROPERTIES = frozenset({"id", "deletedDateTime", "classification", "createdDateTime", "description",
                              "displayName", "groupTypes", "mail", "mailEnabled", "mailNickname", "securityEnabled",
                              "visibility", "onPremisesSyncEnabled"})
GROUP_FILTERABLE = {"id", "displayName", "mailNickname", "securityEnabled", "mailEnabled", "description", "mail"}


def register(router) -> None:
    router.add("GET", "/v1.0/groups", list_groups, perms=GROUP_READ)
    router.add("GET", "/v1.0/groups/{group_id}", get_group, perms=GROUP_READ)
    router.add("GET", "/v1.0/groups/{group_id}/members", members, perms=GROUP_READ, transitive=False)
    router.add("GET", "/v1.0/groups/{group_id}/transitiveMembers/microsoft.graph.user", transitive_users,
               perms=GROUP_READ)
    router.add("GET", "/v1.0/groups/{group_id}/transitiveMembers", transitive_members, perms=GROUP_READ)


def _offset(req) -> int:
    token = decode_token(req.query["$skiptoken"]) if "$skiptoken" in req.query else {"o": 0}
    if token is None:
        raise GraphError(400, "Request_BadRequest", "The specified page token value has expired or is invalid.")
    return int(token.get("o", 0))


def _fragment(req, entity_set: str, suffix: str = "") -> str:
    """@odata.context fragment as Graph writes it: `groups`, `groups(id,displayName)`, `users(...)/$entity`."""
    raw = req.query.get("$select")
    return (f"{entity_set}({raw})" if raw else entity_set) + suffix


def _page(req, path: str, fragment: str, items: list, top: int, offset: int):
    body = {"@odata.context": context_url(req, fragment)}
    if _counted(req):
        body["@odata.count"] = len(items)
    if offset + top < len(items):
        query = {k: v for k, v in req.query.items() if k != "$skiptoken"}
        query["$skiptoken"] = encode_token({"o": offset + top})
        body["@odata.nextLink"] = page_link(req, path, query)
    body["value"] = items[offset: offset + top]
    return graph_json(body)


def list_groups(emu, req, params, claims):
    select = parse_select(req, GROUP_PROPERTIES, tuple(sorted(GROUP_PROPERTIES)), "group")
    top = parse_top(req)
    predicate = None
    if req.query.get("$filter"):
        predicate = compile_filter(req.query["$filter"], True, GROUP_FILTERABLE)
    state = emu.state
    with state.lock:
        groups = [project(g, select) for g in state.groups.by_id.values() if predicate is None or predicate(g)]
    return _page(req, "/v1.0/groups", _fragment(req, "groups"), groups, top, _offset(req))


def get_group(emu, req, params, claims):
    select = parse_select(req, GROUP_PROPERTIES, tuple(sorted(GROUP_PROPERTIES)), "group")
    with emu.state.lock:
        group = project(emu.state.groups.get(params["group_id"]), select)
    return graph_json({"@odata.context": context_url(req, _fragment(req, "groups", "/$entity")), **group})


def _member_objects(state, entries, select_user, select_group) -> list[dict]:
    out = []
    for kind, member_id in entries:
        if kind == "user":
            user = state.users.by_id.get(member_id)
            if user is not None:
                out.append({"@odata.type": "#microsoft.graph.user", **project(user, select_user)})
        else:
            group = state.groups.by_id.get(member_id)
            if group is not None:
                out.append({"@odata.type": "#microsoft.graph.group", **project(group, select_group)})
    return out


def _selects(req):
    raw = req.query.get("$select")
    if not raw:
        return list(USER_DEFAULT_SELECT), sorted(GROUP_PROPERTIES)
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    if "id" not in fields:
        fields.append("id")
    return fields, fields


def members(emu, req, params, claims):
    top = parse_top(req)
    select_user, select_group = _selects(req)
    state = emu.state
    with state.lock:
        entries = list(state.groups.members.get(state.groups.get(params["group_id"])["id"], []))
        items = _member_objects(state, entries, select_user, select_group)
    return _page(req, req.path, "directoryObjects", items, top, _offset(req))


def transitive_members(emu, req, params, claims):
    top = parse_top(req)
    select_user, select_group = _selects(req)
    state = emu.state
    with state.lock:
        user_ids = state.groups.transitive_user_ids(params["group_id"])
        nested = _nested_groups(state, params["group_id"])
        items = _member_objects(state, [("group", g) for g in nested] + [("user", u) for u in user_ids],
                                select_user, select_group)
    return _page(req, req.path, "directoryObjects", items, top, _offset(req))


def transitive_users(emu, req, params, claims):
    select = parse_select(req, USER_PROPERTIES, USER_DEFAULT_SELECT, "user")
    top = parse_top(req)
    state = emu.state
    with state.lock:
        user_ids = state.groups.transitive_user_ids(params["group_id"])
        users = [project(state.users.by_id[u], select) for u in user_ids if u in state.users.by_id]
    return _page(req, req.path, _fragment(req, "users"), users, top, _offset(req))


def _counted(req) -> bool:
    """$count=true with ConsistencyLevel: eventual (advanced query) adds @odata.count."""
    return (req.query.get("$count") or "").lower() == "true" and \
        (req.header("consistencylevel") or "").lower() == "eventual"


def _nested_groups(state, group_id: str) -> list[str]:
    seen, order, stack = {group_id}, [], [group_id]
    while stack:
        for kind, member_id in state.groups.members.get(stack.pop(0), []):
            if kind == "group" and member_id not in seen:
                seen.add(member_id)
                order.append(member_id)
                stack.append(member_id)
    return order
