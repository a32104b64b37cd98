"""Groups: the tenant's group list (the picker), a group's name, and its members with nested groups flattened.

Members are read with /transitiveMembers/microsoft.graph.user: per group 1 + ceil(members / 999) requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from . import users
from .client import GraphClient
from .errors import needs_permission
from .users import USER_SELECT, GraphUser

READ_PERMISSION = "GroupMember.Read.All"


@dataclass(frozen=True, slots=True)
class GraphGroup:
    id: str
    display_name: str
    mail: str

    @classmethod
    def from_graph(cls, item: dict) -> GraphGroup:
        return cls(str(item["id"]), str(item.get("displayName") or item["id"]), str(item.get("mail") or ""))


def all_groups(client: GraphClient) -> Iterator[GraphGroup]:
    with needs_permission(READ_PERMISSION, "Reading groups"):
        for page in client.iter_pages("/groups", params={"$select": "id,displayName,mail", "$top": users.PAGE_SIZE}):
            yield from (GraphGroup.from_graph(item) for item in page if isinstance(item, dict) and item.get("id"))


def group_name(client: GraphClient, group_id: str) -> str:
    """The group's display name ("" when it has none). NotFound when the group no longer exists."""
    with needs_permission(READ_PERMISSION, "Reading groups"):
        return str(client.get(f"/groups/{group_id}", params={"$select": "id,displayName"}).get("displayName") or "")


def _members_path(group_id: str) -> str:
    return f"/groups/{group_id}/transitiveMembers/microsoft.graph.user"


def member_pages(client: GraphClient, group_id: str) -> Iterator[list[GraphUser]]:
    """Users in the group and its nested groups, with every property provisioning reads."""
    with needs_permission(READ_PERMISSION, "Reading group members"):
        params = {"$select": USER_SELECT, "$top": users.PAGE_SIZE}
        for page in client.iter_pages(_members_path(group_id), params=params):
            yield [GraphUser.from_graph(item) for item in page if isinstance(item, dict) and item.get("id")]


def member_ids(client: GraphClient, group_id: str) -> set[str]:
    """Object ids (lower case) of the users in the group and its nested groups."""
    ids: set[str] = set()
    with needs_permission(READ_PERMISSION, "Reading group members"):
        for page in client.iter_pages(_members_path(group_id), params={"$select": "id", "$top": users.PAGE_SIZE}):
            ids.update(str(item["id"]).lower() for item in page if isinstance(item, dict) and item.get("id"))
    return ids
