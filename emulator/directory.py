"""The directory: users (with a change log for delta) and groups. Callers hold State.lock."""

import bisect

USER_DEFAULT_SELECT = (
    "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
    "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
)
USER_PROPERTIES = frozenset(USER_DEFAULT_SELECT) | {
    "accountEnabled", "userType", "department", "employeeId", "companyName", "city", "country",
    "usageLocation", "onPremisesExtensionAttributes", "createdDateTime", "mailNickname",
    "onPremisesSyncEnabled", "proxyAddresses", "otherMails", "employeeType", "state",
    "streetAddress", "postalCode", "faxNumber",
}
EXTENSION_ATTRIBUTES = tuple(f"extensionAttribute{i}" for i in range(1, 16))
EMPTY_EXTENSIONS = {name: None for name in EXTENSION_ATTRIBUTES}


def notify(owner, event: dict) -> None:
    """Tell the change listener (the subscriptions' change feed, if attached) what just changed."""
    if owner.listener is not None:
        owner.listener(event)


class DirectoryError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Users:
    """Users kept in id order (stable paging by last id) plus an append-only change log.

    change log entry: (user_id, changed property names or None for "everything").
    The sequence number of an entry is its index + 1; delta tokens store a sequence number.
    """

    def __init__(self):
        self.by_id: dict[str, dict] = {}
        self.ids: list[str] = []  # sorted ids of live (not deleted) users
        self.soft_deleted: dict[str, dict] = {}
        self.hard_deleted: set[str] = set()
        self.passwords: dict[str, str] = {}
        self.log: list[tuple[str, frozenset | None]] = []
        self.by_upn: dict[str, str] = {}
        self.listener = None  # called with {"type": "user", "action", "id"} after each change

    @property
    def seq(self) -> int:
        return len(self.log)

    def load(self, users: list[dict]) -> None:
        """Bulk load at startup (no change-log entries: the initial state)."""
        for user in users:
            self.by_id[user["id"]] = user
            self.by_upn[user["userPrincipalName"].lower()] = user["id"]
        self.ids = sorted(self.by_id)

    def get(self, key: str) -> dict | None:
        """By id or userPrincipalName (Graph accepts either in /users/{id|upn})."""
        user = self.by_id.get(key)
        if user is None:
            uid = self.by_upn.get(key.lower())
            user = self.by_id.get(uid) if uid else None
        return user

    def page_after(self, last_id: str | None, count: int, predicate=None) -> tuple[list[dict], str | None]:
        """Up to `count` live users after `last_id` in id order, and the id to continue after."""
        start = bisect.bisect_right(self.ids, last_id) if last_id else 0
        ids = self.ids
        if predicate is None:
            out = [self.by_id[i] for i in ids[start:start + count]]
            more = start + count < len(ids)
        else:
            out = []
            for i in range(start, len(ids)):
                user = self.by_id[ids[i]]
                if predicate(user):
                    out.append(user)
                    if len(out) > count:
                        break
            more = len(out) > count
            out = out[:count]
        return out, (out[-1]["id"] if out and more else None)

    def live(self):
        return (self.by_id[i] for i in self.ids)

    def create(self, user: dict, password: str | None = None) -> dict:
        upn = user["userPrincipalName"].lower()
        if upn in self.by_upn:
            raise DirectoryError(400, "Request_BadRequest",
                                 "Another object with the same value for property userPrincipalName already exists.")
        self.by_id[user["id"]] = user
        self.by_upn[upn] = user["id"]
        bisect.insort(self.ids, user["id"])
        if password:
            self.passwords[upn] = password
        self.log.append((user["id"], None))
        notify(self, {"type": "user", "action": "created", "id": user["id"]})
        return user

    def update(self, user_id: str, changes: dict) -> dict:
        user = self._require_live(user_id)
        if "onPremisesExtensionAttributes" in changes:
            merged = dict(user.get("onPremisesExtensionAttributes") or EMPTY_EXTENSIONS)
            merged.update(changes["onPremisesExtensionAttributes"] or {})
            changes = {**changes, "onPremisesExtensionAttributes": merged}
        if "userPrincipalName" in changes:
            self.by_upn.pop(user["userPrincipalName"].lower(), None)
            self.by_upn[changes["userPrincipalName"].lower()] = user_id
        user.update(changes)
        self.log.append((user_id, frozenset(changes)))
        notify(self, {"type": "user", "action": "updated", "id": user["id"]})
        return user

    def soft_delete(self, user_id: str) -> None:
        user = self._require_live(user_id)
        self._unlist(user_id)
        self.soft_deleted[user_id] = user
        self.log.append((user_id, None))
        notify(self, {"type": "user", "action": "soft_deleted", "id": user_id})

    def restore(self, user_id: str) -> dict:
        user = self.soft_deleted.pop(user_id, None)
        if user is None:
            raise DirectoryError(404, "Request_ResourceNotFound",
                                 f"Resource '{user_id}' does not exist or one of its queried reference-property "
                                 "objects are not present.")
        self.by_id[user_id] = user
        self.by_upn[user["userPrincipalName"].lower()] = user_id
        bisect.insort(self.ids, user_id)
        self.log.append((user_id, None))
        notify(self, {"type": "user", "action": "restored", "id": user_id})
        return user

    def hard_delete(self, user_id: str) -> None:
        if user_id in self.by_id:
            self._unlist(user_id)
        elif self.soft_deleted.pop(user_id, None) is None:
            raise DirectoryError(404, "Request_ResourceNotFound", f"Resource '{user_id}' does not exist.")
        self.hard_deleted.add(user_id)
        self.log.append((user_id, None))
        notify(self, {"type": "user", "action": "deleted", "id": user_id})

    def state_of(self, user_id: str) -> str:
        if user_id in self.by_id:
            return "live"
        if user_id in self.soft_deleted:
            return "changed"
        return "deleted"

    def changes_between(self, start: int, end: int, selected: frozenset) -> list[str]:
        """Ids changed in log[start:end] whose change touches `selected`, deduplicated, first-seen order."""
        seen: dict[str, None] = {}
        for user_id, props in self.log[start:end]:
            if props is None or props & selected:
                seen.setdefault(user_id, None)
        return list(seen)

    def _unlist(self, user_id: str) -> None:
        user = self.by_id.pop(user_id)
        self.by_upn.pop(user["userPrincipalName"].lower(), None)
        index = bisect.bisect_left(self.ids, user_id)
        if index < len(self.ids) and self.ids[index] == user_id:
            del self.ids[index]

    def _require_live(self, user_id: str) -> dict:
        user = self.get(user_id)
        if user is None:
            raise DirectoryError(404, "Request_ResourceNotFound",
                                 f"Resource '{user_id}' does not exist or one of its queried reference-property "
                                 "objects are not present.")
        return user


class Groups:
    """Groups with ordered direct members (users and nested groups)."""

    def __init__(self):
        self.by_id: dict[str, dict] = {}
        self.members: dict[str, list[tuple[str, str]]] = {}  # group id -> [("user"|"group", id)]
        self.listener = None  # called with {"type": "group", "action", "id", "member"?} after each change

    def create(self, group: dict) -> dict:
        self.by_id[group["id"]] = group
        self.members.setdefault(group["id"], [])
        notify(self, {"type": "group", "action": "created", "id": group["id"]})
        return group

    def get(self, group_id: str) -> dict:
        group = self.by_id.get(group_id)
        if group is None:
            raise DirectoryError(404, "Request_ResourceNotFound",
                                 f"Resource '{group_id}' does not exist or one of its queried reference-property "
                                 "objects are not present.")
        return group

    def add_member(self, group_id: str, kind: str, member_id: str) -> None:
        self.get(group_id)
        entry = (kind, member_id)
        if entry in self.members[group_id]:
            raise DirectoryError(400, "Request_BadRequest",
                                 "One or more added object references already exist for the following modified "
                                 "properties: 'members'.")
        self.members[group_id].append(entry)
        notify(self, {"type": "group", "action": "member_added", "id": group_id, "member": member_id, "kind": kind})

    def remove_member(self, group_id: str, member_id: str) -> None:
        self.get(group_id)
        before = self.members[group_id]
        self.members[group_id] = [m for m in before if m[1] != member_id]
        if len(before) == len(self.members[group_id]):
            raise DirectoryError(404, "Request_ResourceNotFound", f"Resource '{member_id}' does not exist.")
        kind = next(m[0] for m in before if m[1] == member_id)
        notify(self, {"type": "group", "action": "member_removed", "id": group_id, "member": member_id, "kind": kind})

    def transitive_user_ids(self, group_id: str) -> list[str]:
        """Users of a group and of its nested groups, flattened, each once, in first-reached order."""
        self.get(group_id)
        seen_groups, seen_users, out = {group_id}, set(), []
        stack = [group_id]
        while stack:
            gid = stack.pop(0)
            for kind, member_id in self.members.get(gid, []):
                if kind == "group" and member_id not in seen_groups:
                    seen_groups.add(member_id)
                    stack.append(member_id)
                elif kind == "user" and member_id not in seen_users:
                    seen_users.add(member_id)
                    out.append(member_id)
        return out
