"""Users: the reads user provisioning, SSO and the mailbox picker make, as typed records.

Costs (Graph requests; N users, pages of 999):
- a full read: 1 (delta starting point, $deltatoken=latest) + ceil(N / 999)
- an incremental read: 1 per 999 changed users, at least 1 (a quiet directory costs 1)
- a custom filter: ceil(matches / 999) every run (Graph evaluates it)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .client import GraphClient
from .errors import GraphError, NotFound, needs_permission

READ_PERMISSION = "User.Read.All"
PAGE_SIZE = 999
DELTA_PAGE_SIZE = 999
ADVANCED_QUERY_HEADERS = {"ConsistencyLevel": "eventual"}

# Everything provisioning, its scope options and attribute numbering read ($select).
USER_SELECT = ("id,displayName,givenName,surname,mail,userPrincipalName,accountEnabled,userType,jobTitle,"
               "department,mobilePhone,businessPhones,employeeId,onPremisesExtensionAttributes")

# The user attributes an extension number may be taken from (the values stored in the numbering settings).
NUMBER_SOURCES = ("businessPhones", "mobilePhone", "employeeId", *(f"extensionAttribute{i}" for i in range(1, 16)))

# An OData filter as an admin might type it (the User Synchronization page's example).
FILTER_EXAMPLE = "department eq 'Sales' or startswith(jobTitle,'Support')"

# Where each extension field comes from, as the User Synchronization page explains it.
EXTENSION_FIELD_SOURCES = (
    ("Display name", "displayName (userPrincipalName when empty)"),
    ("First name", "givenName"),
    ("Last name", "surname"),
    ("E-mail", "mail, falling back to userPrincipalName"),
    ("Job title", "jobTitle"),
    ("Department", "department"),
    ("Mobile phone", "mobilePhone (E.164 when it is a valid number)"),
    ("Business phone", "businessPhones[0] (E.164 when it is a valid number)"),
)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class GraphUser:
    """A Graph user, with the properties of USER_SELECT. Strings are stripped ("" when absent)."""

    id: str  # lower case: the object id, equal to the `oid` claim of the user's tokens
    display_name: str
    given_name: str
    surname: str
    mail: str
    user_principal_name: str
    account_enabled: bool
    guest: bool
    job_title: str
    department: str
    mobile_phone: str
    business_phones: tuple[str, ...]
    employee_id: str
    extension_attributes: dict = field(default_factory=dict)  # "extensionAttribute1".. -> value

    @classmethod
    def from_graph(cls, item: dict) -> GraphUser:
        phones = item.get("businessPhones")
        attributes = item.get("onPremisesExtensionAttributes")
        return cls(
            str(item["id"]).lower(), _text(item.get("displayName")), _text(item.get("givenName")),
            _text(item.get("surname")), _text(item.get("mail")), _text(item.get("userPrincipalName")),
            item.get("accountEnabled") is not False, item.get("userType") == "Guest", _text(item.get("jobTitle")),
            _text(item.get("department")), _text(item.get("mobilePhone")),
            tuple(p for p in phones if isinstance(p, str)) if isinstance(phones, list) else (),
            _text(item.get("employeeId")),
            {k: v for k, v in attributes.items() if isinstance(v, str)} if isinstance(attributes, dict) else {},
        )

    def number_source(self, attribute: str) -> str:
        """The value of one of NUMBER_SOURCES ("" when empty): businessPhones gives the first number."""
        if attribute == "businessPhones":
            return self.business_phones[0] if self.business_phones else ""
        if attribute == "mobilePhone":
            return self.mobile_phone
        if attribute == "employeeId":
            return self.employee_id
        return _text(self.extension_attributes.get(attribute))


@dataclass(frozen=True, slots=True)
class RemovedUser:
    """A delta entry for a user deleted in Entra: soft (restorable for 30 days) or permanent."""

    id: str
    permanently: bool


@dataclass(frozen=True)
class UserChanges:
    """One page of a delta round. `delta_link` is set on the last page only."""

    users: list[GraphUser]
    removed: list[RemovedUser]
    delta_link: str | None = None


def _users(page: list[dict]) -> list[GraphUser]:
    return [GraphUser.from_graph(item) for item in page if isinstance(item, dict) and item.get("id")]


def user_pages(client: GraphClient) -> Iterator[list[GraphUser]]:
    with needs_permission(READ_PERMISSION, "Reading users"):
        for page in client.iter_pages("/users", params={"$select": USER_SELECT, "$top": PAGE_SIZE}):
            yield _users(page)


def delta_starting_point(client: GraphClient) -> str | None:
    """A deltaLink for "now" (no data), taken before a full read so that no change made during it is missed."""
    with needs_permission(READ_PERMISSION, "Reading user changes"):
        for page in client.delta_round("/users/delta", params={"$select": USER_SELECT, "$deltatoken": "latest"}):
            if page.delta_link:
                return page.delta_link
    return None


def delta_pages(client: GraphClient, delta_link: str) -> Iterator[UserChanges]:
    """Changes since delta_link. Raises DeltaTokenExpired when Graph wants a full resync."""
    with needs_permission(READ_PERMISSION, "Reading user changes"):
        for page in client.delta_round(delta_link, headers={"Prefer": f"odata.maxpagesize={DELTA_PAGE_SIZE}"}):
            users, removed = [], []
            for item in page.items:
                if not isinstance(item, dict) or not item.get("id"):
                    continue
                marker = item.get("@removed")
                if marker is not None:
                    reason = marker.get("reason") if isinstance(marker, dict) else None
                    removed.append(RemovedUser(str(item["id"]).lower(), permanently=reason == "deleted"))
                else:
                    users.append(GraphUser.from_graph(item))
            yield UserChanges(users, removed, page.delta_link)


def filtered_user_pages(client: GraphClient, odata_filter: str, advanced: bool) -> Iterator[list[GraphUser]]:
    params = {"$select": USER_SELECT, "$top": PAGE_SIZE, "$filter": odata_filter}
    headers = None
    if advanced:
        params["$count"] = "true"
        headers = ADVANCED_QUERY_HEADERS
    with needs_permission(READ_PERMISSION, "Reading users"):
        for page in client.iter_pages("/users", params=params, headers=headers):
            yield _users(page)


@dataclass(frozen=True)
class FilterPreview:
    advanced: bool  # Graph needs its advanced query mode for this filter
    count: int | None  # how many users match (None when Graph would not count)
    sample: list[GraphUser]  # the first 20


def filter_preview(client: GraphClient, odata_filter: str) -> FilterPreview:
    """How many users match, the first 20, and whether the filter needs Graph's advanced query mode.

    Tries the plain query first (strongly consistent); an unsupported one is retried as an advanced query.
    Raises GraphError (400) with Graph's message when the filter is invalid either way.
    """
    params = {"$select": USER_SELECT, "$top": 20, "$filter": odata_filter, "$count": "true"}
    with needs_permission(READ_PERMISSION, "Checking the filter"):
        try:
            body = client.get("/users", params={k: v for k, v in params.items() if k != "$count"})
            advanced, count = False, None
        except GraphError as exc:
            if exc.status != 400:
                raise
            body = client.get("/users", params=params, headers=ADVANCED_QUERY_HEADERS)
            advanced, count = True, body.get("@odata.count")
        if count is None:
            try:
                count = client.get("/users", params={**params, "$top": 1},
                                   headers=ADVANCED_QUERY_HEADERS).get("@odata.count")
            except GraphError:
                count = None
    return FilterPreview(advanced, count if isinstance(count, int) else None, _users(body.get("value") or []))


def _quoted(value: str) -> str:
    return value.replace("'", "''")


def find_user(client: GraphClient, email_or_upn: str) -> GraphUser | None:
    """A user by userPrincipalName, else by mail. None if there is none."""
    with needs_permission(READ_PERMISSION, "Reading users"):
        try:
            return GraphUser.from_graph(client.get(f"/users/{email_or_upn}", params={"$select": USER_SELECT}))
        except NotFound:
            pass
        body = client.get("/users", params={"$select": USER_SELECT,
                                            "$filter": f"mail eq '{_quoted(email_or_upn)}'"})
    users = _users(body.get("value") or [])
    return users[0] if users else None


def user_matches_filter(client: GraphClient, user_id: str, odata_filter: str, advanced: bool) -> bool:
    combined = f"({odata_filter}) and id eq '{user_id}'"
    return any(user.id == user_id for page in filtered_user_pages(client, combined, advanced) for user in page)


def any_user_readable(client: GraphClient) -> bool:
    """One user read (Test Connection): True when the directory has at least one."""
    with needs_permission(READ_PERMISSION, "Reading users"):
        return bool(client.get("/users", params={"$top": "1", "$select": "id,displayName"}).get("value"))


def users_starting_with(client: GraphClient, text: str, limit: int) -> list[GraphUser]:
    """Users whose display name, mail or user principal name starts with `text` (first page, at most `limit`)."""
    q = _quoted(text.strip())
    params = {"$filter": f"startswith(displayName,'{q}') or startswith(mail,'{q}') or "
                         f"startswith(userPrincipalName,'{q}')", "$select": USER_SELECT, "$top": limit}
    with needs_permission(READ_PERMISSION, "Searching users"):
        return _users(next(client.iter_pages("/users", params=params), []))
