"""What user sync reads from Microsoft Graph. Every call goes through the product's GraphClient.

Costs (Graph requests per run; N users in scope, G groups, pages of 999):
- All users, full:        1 (delta starting point, $deltatoken=latest) + ceil(N_all / 999)
- All users, incremental: 1 per 100 changed users, at least 1 (a quiet directory costs 1)
- Specific groups:        per group 1 (name) + ceil(members / 999), every run (membership is re-read)
- Custom filter:          ceil(matches / 999), every run (the filter is re-evaluated by Graph)
"""

from __future__ import annotations

from collections.abc import Iterator

from integrations.graph import DeltaPage, GraphClient, NotFound, PermissionDenied
from integrations.sync.failures import MissingPermission, SyncAborted
from integrations.sync.users.mapping import USER_SELECT

PAGE_SIZE = 999
DELTA_PAGE_SIZE = 999
ADVANCED_QUERY_HEADERS = {"ConsistencyLevel": "eventual"}


def user_pages(client: GraphClient) -> Iterator[list[dict]]:
    try:
        yield from client.iter_pages("/users", params={"$select": USER_SELECT, "$top": PAGE_SIZE})
    except PermissionDenied as exc:
        raise MissingPermission("User.Read.All", "Reading users", exc) from exc


def delta_starting_point(client: GraphClient) -> str:
    """A deltaLink for "now", taken before a full read so that no change made during the read is missed."""
    try:
        for page in client.delta_round("/users/delta", params={"$select": USER_SELECT, "$deltatoken": "latest"}):
            if page.delta_link:
                return page.delta_link
    except PermissionDenied as exc:
        raise MissingPermission("User.Read.All", "Reading user changes", exc) from exc
    raise SyncAborted("Graph gave no delta link for /users/delta.")


def delta_pages(client: GraphClient, delta_link: str) -> Iterator[DeltaPage]:
    """Changes since delta_link. Raises DeltaTokenExpired when Graph wants a full resync."""
    try:
        yield from client.delta_round(delta_link, headers={"Prefer": f"odata.maxpagesize={DELTA_PAGE_SIZE}"})
    except PermissionDenied as exc:
        raise MissingPermission("User.Read.All", "Reading user changes", exc) from exc


def group_name(client: GraphClient, group_id: str) -> str:
    try:
        return client.get(f"/groups/{group_id}", params={"$select": "id,displayName"}).get("displayName") or ""
    except NotFound as exc:
        raise SyncAborted(
            f"The group {group_id} chosen in the sync scope no longer exists in Entra. Nothing was removed: choose "
            "the groups again under User Synchronization.") from exc
    except PermissionDenied as exc:
        raise MissingPermission("GroupMember.Read.All", "Reading groups", exc) from exc


def group_member_pages(client: GraphClient, group_id: str) -> Iterator[list[dict]]:
    """Users in the group and its nested groups, with the user properties sync needs."""
    try:
        yield from client.iter_pages(f"/groups/{group_id}/transitiveMembers/microsoft.graph.user",
                                     params={"$select": USER_SELECT, "$top": PAGE_SIZE})
    except PermissionDenied as exc:
        raise MissingPermission("GroupMember.Read.All", "Reading group members", exc) from exc


def filtered_user_pages(client: GraphClient, odata_filter: str, advanced: bool) -> Iterator[list[dict]]:
    params = {"$select": USER_SELECT, "$top": PAGE_SIZE, "$filter": odata_filter}
    headers = None
    if advanced:
        params["$count"] = "true"
        headers = ADVANCED_QUERY_HEADERS
    try:
        yield from client.iter_pages("/users", params=params, headers=headers)
    except PermissionDenied as exc:
        raise MissingPermission("User.Read.All", "Reading users", exc) from exc


def filter_preview(client: GraphClient, odata_filter: str) -> dict:
    """How many users match, the first 20, and whether the filter needs Graph's advanced query mode.

    Tries the plain query first (strongly consistent); an unsupported one is retried as an advanced query.
    Raises GraphError (400) with Graph's message when the filter is invalid either way.
    """
    from integrations.graph import GraphError

    params = {"$select": "id,displayName,userPrincipalName,mail", "$top": 20, "$filter": odata_filter,
              "$count": "true"}
    try:
        body = client.get("/users", params={k: v for k, v in params.items() if k != "$count"})
        advanced = False
        count = None
    except GraphError as exc:
        if exc.status != 400:
            raise
        body = client.get("/users", params=params, headers=ADVANCED_QUERY_HEADERS)
        advanced = True
        count = body.get("@odata.count")
    sample = [{"id": u.get("id"), "name": u.get("displayName"), "upn": u.get("userPrincipalName")}
              for u in body.get("value") or []]
    if count is None:
        try:
            counted = client.get("/users", params={**params, "$top": 1}, headers=ADVANCED_QUERY_HEADERS)
            count = counted.get("@odata.count")
        except GraphError:
            count = None
    return {"advanced": advanced, "count": count, "sample": sample}


def verified_domains(client: GraphClient) -> list[str]:
    """The tenant's verified domains (SSO matches e-mail addresses only in these)."""
    from integrations.connection_check import verified_domains_from_organization

    return verified_domains_from_organization(client.get("/organization", params={"$select": "id,verifiedDomains"}))


def all_groups(client: GraphClient) -> Iterator[dict]:
    try:
        for page in client.iter_pages("/groups", params={"$select": "id,displayName,mail,description",
                                                         "$top": PAGE_SIZE}):
            yield from page
    except PermissionDenied as exc:
        raise MissingPermission("GroupMember.Read.All", "Reading groups", exc) from exc


def find_user(client: GraphClient, email_or_upn: str) -> dict | None:
    """A user by userPrincipalName, else by mail. None if there is none."""
    try:
        return client.get(f"/users/{email_or_upn}", params={"$select": USER_SELECT})
    except NotFound:
        pass
    except PermissionDenied as exc:
        raise MissingPermission("User.Read.All", "Reading users", exc) from exc
    quoted = email_or_upn.replace("'", "''")
    body = client.get("/users", params={"$select": USER_SELECT, "$filter": f"mail eq '{quoted}'"})
    users = body.get("value") or []
    return users[0] if users else None


def group_member_ids(client: GraphClient, group_id: str) -> set[str]:
    ids: set[str] = set()
    try:
        for page in client.iter_pages(f"/groups/{group_id}/transitiveMembers/microsoft.graph.user",
                                      params={"$select": "id", "$top": PAGE_SIZE}):
            ids.update(str(u["id"]).lower() for u in page)
    except PermissionDenied as exc:
        raise MissingPermission("GroupMember.Read.All", "Reading group members", exc) from exc
    return ids


def user_matches_filter(client: GraphClient, user_id: str, odata_filter: str, advanced: bool) -> bool:
    combined = f"({odata_filter}) and id eq '{user_id}'"
    for page in filtered_user_pages(client, combined, advanced):
        if any(str(u.get("id")).lower() == user_id for u in page):
            return True
    return False
