"""What Graph accepts in a subscription: resource forms, permissions, change types, lifetimes, URLs.

Pure functions over plain values; the facts and their sources are in emulator/README.md ("Change notifications").
Errors are raised as GraphError with the status and code Graph uses (or the emulator's documented choice).
"""

import dataclasses
import datetime as dt
import re
from urllib.parse import urlsplit

from emulator.graph_common import GraphError

CHANGE_TYPES = ("created", "updated", "deleted")
MIN_LIFETIME = dt.timedelta(minutes=45)  # "Any value under 45 minutes ... is automatically set to 45 minutes"
DEFAULT_MAX_MINUTES = {"directory": 41760, "outlook": 4230, "presence": 60}
CLIENT_STATE_MAX = 128
TLS_VERSIONS = ("v1_0", "v1_1", "v1_2", "v1_3")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

# Read permissions that may create the subscription (application roles or delegated scopes). ReadWrite-only tokens
# are refused: "subscriptions don't support write access permissions when only read access permissions are needed".
PERMISSIONS = {
    "users": ("User.Read.All", "Directory.Read.All"),
    "groups": ("Group.Read.All", "Directory.Read.All"),
    "contacts": ("Contacts.Read",),
    "presence": ("Presence.Read.All",),
}
FORBIDDEN = "Operation: Create; Exception: [Status Code: Forbidden; Reason: Forbidden]"

_GUID_OR_KEY = r"(?P<key>[^/?()']+)"
_FORMS = (
    ("users", re.compile(r"^users$", re.IGNORECASE)),
    ("user", re.compile(rf"^users/{_GUID_OR_KEY}$", re.IGNORECASE)),
    ("contacts", re.compile(rf"^users/{_GUID_OR_KEY}/contacts$", re.IGNORECASE)),
    ("me_contacts", re.compile(r"^me/contacts$", re.IGNORECASE)),
    ("groups", re.compile(r"^groups$", re.IGNORECASE)),
    ("group", re.compile(rf"^groups/{_GUID_OR_KEY}$", re.IGNORECASE)),
    ("group_members", re.compile(rf"^groups/{_GUID_OR_KEY}/members$", re.IGNORECASE)),
    ("group_owners", re.compile(rf"^groups/{_GUID_OR_KEY}/owners$", re.IGNORECASE)),
    ("presence", re.compile(r"^communications/presences(/[^/?]+|\?.*)$", re.IGNORECASE)),
)


@dataclasses.dataclass(frozen=True)
class ResourceForm:
    form: str  # users, user, groups, group, group_members, contacts, ...
    key: str | None  # the user/group id or UPN in the path
    family: str  # "directory", "outlook" or "presence": lifetimes, quotas, lifecycle support

    @property
    def permissions(self) -> tuple[str, ...]:
        if self.form in ("users", "user"):
            return PERMISSIONS["users"]
        if self.form.startswith("group"):
            return PERMISSIONS["groups"]
        return PERMISSIONS["contacts" if self.family == "outlook" else "presence"]


def invalid(message: str, code: str = "InvalidRequest", status: int = 400) -> GraphError:
    return GraphError(status, code, message)


def parse_resource(raw) -> ResourceForm:
    if not isinstance(raw, str) or not raw.strip():
        raise invalid("resource is a required property for subscription creation.")
    text = raw.strip().lstrip("/")
    if text.lower().startswith(("v1.0/", "beta/", "https://", "http://")):
        raise invalid(f"Invalid resource '{raw}': give the path without the base URL (for example 'users').")
    for form, pattern in _FORMS:
        match = pattern.match(text)
        if match:
            family = "outlook" if "contacts" in form else "presence" if form == "presence" else "directory"
            return ResourceForm(form, match.groupdict().get("key"), family)
    raise invalid(f"The resource '{raw}' is not supported for change notifications by this emulator (it emulates "
                  "users, users/{id}, groups, groups/{id}, groups/{id}/members and users/{id}/contacts).")


def check_caller(resource: ResourceForm, claims: dict) -> None:
    """Application tokens need one of the resource's read roles; delegated tokens the same as scopes."""
    delegated = bool(claims.get("scp")) and not claims.get("roles")
    if resource.form == "me_contacts" and not delegated:
        raise invalid("/me request is only valid with delegated authentication flow.", "BadRequest")
    if resource.family == "presence":
        if not delegated:  # documented: Application "Not supported" for presence subscriptions
            raise invalid(FORBIDDEN, "ExtensionError", 403)
        raise invalid("Presence subscriptions (delegated, with encrypted resource data) are not emulated.")
    if resource.form == "group_owners":
        raise invalid("groups/{id}/owners subscriptions are not emulated.")
    granted = set(claims.get("roles") or ()) | set((claims.get("scp") or "").split())
    if not granted.intersection(resource.permissions):
        raise invalid(FORBIDDEN, "ExtensionError", 403)


def parse_change_type(raw) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise invalid("changeType is a required property for subscription creation.")
    parts = [p.strip() for p in raw.split(",")]
    bad = [p for p in parts if p not in CHANGE_TYPES]
    if bad or len(set(parts)) != len(parts):
        raise invalid(f"Invalid changeType '{raw}'. Supported values: created, updated, deleted (comma separated, "
                      "each once).")
    return ",".join(parts)


_URL_LABELS = {"notificationUrl": ("NotificationUrl", "notification url"),
               "lifecycleNotificationUrl": ("LifecycleNotificationUrl", "lifecycle notification url")}


def check_url(raw, name: str, *, required: bool, allow_http: bool) -> str | None:
    """An absolute https URL (or http on a loopback host when the emulator allows it)."""
    if raw is None and not required:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise invalid(f"{name} is a required property for subscription creation.")
    label, words = _URL_LABELS[name]
    try:
        parts = urlsplit(raw)
        scheme, host = parts.scheme.lower(), parts.hostname
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        scheme, host = "", None
    if scheme not in ("http", "https") or not host or any(c.isspace() for c in raw):
        raise invalid(f"Invalid {words}='{raw}'.")
    if scheme == "http" and not (allow_http and host in LOOPBACK_HOSTS):
        raise invalid(f"{label} scheme='http' is not supported.")
    return raw


def check_client_state(raw) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise invalid("clientState must be a string.")
    if len(raw) > CLIENT_STATE_MAX:
        raise invalid(f"clientState must be at most {CLIENT_STATE_MAX} characters (got {len(raw)}).")
    return raw


def parse_expiration(raw, now: dt.datetime, family: str, max_minutes: dict) -> dt.datetime:
    """The stored expiry: at least now + 45 minutes (Graph raises smaller values), at most the family's maximum."""
    if raw is None:
        raise invalid("expirationDateTime is a required property for subscription creation.")
    try:
        when = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"Invalid value '{raw}' for expirationDateTime.") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    limit = int(max_minutes.get(family, DEFAULT_MAX_MINUTES[family]))
    if when > now + dt.timedelta(minutes=limit):
        raise invalid(f"Subscription expiration can only be {limit} minutes in the future.", "ExtensionError")
    return max(when, now + MIN_LIFETIME)


def check_tls_version(raw) -> str:
    if raw is None:
        return "v1_2"
    if raw not in TLS_VERSIONS:
        raise invalid(f"Invalid latestSupportedTlsVersion '{raw}'. Supported values: {', '.join(TLS_VERSIONS)}.")
    return raw
