"""Microsoft Graph change-notification subscriptions, on a GraphClient (which does the HTTP, retries and typed errors).

    sub = create_subscription(client, resource="users", change_type="updated,deleted",
                              notification_url="https://pbx.example/graph/notifications/",
                              lifecycle_notification_url="https://pbx.example/graph/notifications/lifecycle/",
                              expires=now + max_lifetime("users"), client_state=secret)
    renew_subscription(client, sub.id, expires=...); reauthorize_subscription(client, sub.id)
    delete_subscription(client, sub.id); list_subscriptions(client)

and reading what Graph POSTs back: `parse_notifications(body)` -> ChangeNotification values. The resources the
product subscribes to are built here too (users_target, group_members_target, mailbox_contacts_target). Facts and
their sources: the README's Graph notes ("Change notifications"). No Django here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import quote

from .errors import GraphError, UnexpectedResponse
from .parsing import graph_datetime, parse_graph_datetime

# Maximum lifetimes Graph enforces. Outlook contacts: the docs now say 10,080 minutes, Graph long refused more than
# 4,230 ("Subscription expiration can only be 4230 minutes in the future"); 4,230 works under both.
DIRECTORY_MAX_LIFETIME = dt.timedelta(minutes=41760)
OUTLOOK_MAX_LIFETIME = dt.timedelta(minutes=4230)
MIN_LIFETIME = dt.timedelta(minutes=45)  # Graph raises any shorter expiry to 45 minutes
CLIENT_STATE_MAX = 128
LIFECYCLE_EVENTS = frozenset({"reauthorizationRequired", "subscriptionRemoved", "missed"})


@dataclass(frozen=True)
class Target:
    """What to subscribe to: the resource path and the change types Graph should notify."""

    resource: str
    change_type: str


def users_target() -> Target:
    """Every user of the tenant: `updated` covers create, update, soft delete and restore; `deleted` hard delete."""
    return Target("users", "updated,deleted")


def group_members_target(group_id: str) -> Target:
    """Membership changes of one group (members added or removed arrive as `updated`)."""
    return Target(f"groups/{quote(group_id, safe='')}/members", "updated")


def mailbox_contacts_target(user_id: str) -> Target:
    """The contacts of one mailbox (Outlook personal contacts; Contacts.Read)."""
    return Target(f"users/{quote(user_id, safe='')}/contacts", "created,updated,deleted")


class EndpointValidationFailed(GraphError):
    """Graph refused the subscription because the notification endpoint failed the validation handshake (it must
    answer `?validationToken=` within 10 s with 200, text/plain and the decoded token)."""


@dataclass(frozen=True)
class Subscription:
    id: str
    resource: str
    change_type: str
    notification_url: str
    expires: dt.datetime
    lifecycle_notification_url: str | None = None
    client_state: str | None = None  # Graph leaves it out of GET and list answers
    application_id: str | None = None


@dataclass(frozen=True)
class ChangeNotification:
    """One item of a notification POST: a change (`change_type`, `resource_id`) or a lifecycle event."""

    subscription_id: str
    tenant_id: str | None
    client_state: str | None
    subscription_expires: dt.datetime | None
    change_type: str | None = None
    resource: str | None = None
    resource_id: str | None = None
    lifecycle_event: str | None = None


def required_permission(resource: str) -> str:
    """The application permission Graph wants for a subscription to this resource (GroupMember.Read.All is not
    enough for group membership)."""
    if _is_outlook(resource):
        return "Contacts.Read"
    return "Group.Read.All" if resource.strip("/").lower().startswith("groups") else "User.Read.All"


def max_lifetime(resource: str) -> dt.timedelta:
    """How far ahead an expiry may lie for this resource (Outlook contacts: 4,230 minutes; directory: 41,760)."""
    return OUTLOOK_MAX_LIFETIME if _is_outlook(resource) else DIRECTORY_MAX_LIFETIME


def create_subscription(
    client,
    *,
    resource: str,
    change_type: str,
    notification_url: str,
    expires: dt.datetime,
    client_state: str | None = None,
    lifecycle_notification_url: str | None = None,
) -> Subscription:
    """POST /subscriptions. Graph validates the endpoint(s) before answering: EndpointValidationFailed when they
    fail the handshake; PermissionDenied (403) for a missing permission or a full quota; GraphError 409 when this
    app already has a subscription with the same resource and changeType."""
    if client_state is not None and len(client_state) > CLIENT_STATE_MAX:
        raise ValueError(f"client_state may have at most {CLIENT_STATE_MAX} characters")
    body = {"changeType": change_type, "notificationUrl": notification_url, "resource": resource,
            "expirationDateTime": graph_datetime(expires)}
    if client_state is not None:
        body["clientState"] = client_state
    if lifecycle_notification_url is not None:
        body["lifecycleNotificationUrl"] = lifecycle_notification_url
    try:
        answer = client.post("/subscriptions", body)
    except GraphError as error:
        raise _validation_failure(error) or error from None
    return _subscription(answer, client_state)


def renew_subscription(client, subscription_id: str, *, expires: dt.datetime) -> Subscription:
    """PATCH /subscriptions/{id} with a new expiry (also reauthorizes it). NotFound when it no longer exists."""
    response = client.request("PATCH", _path(subscription_id), json={"expirationDateTime": graph_datetime(expires)})
    return _subscription(_json(response))


def reauthorize_subscription(client, subscription_id: str) -> None:
    """POST /subscriptions/{id}/reauthorize (the answer to a reauthorizationRequired lifecycle notification)."""
    client.request("POST", _path(subscription_id) + "/reauthorize")


def delete_subscription(client, subscription_id: str) -> None:
    """DELETE /subscriptions/{id}. NotFound when Graph has no such subscription (expired, or removed)."""
    client.request("DELETE", _path(subscription_id))


def list_subscriptions(client) -> list[Subscription]:
    """GET /subscriptions: this app's subscriptions in the tenant (every page)."""
    return [_subscription(item) for item in client.iter_items("/subscriptions")]


# -- what Graph POSTs to the notification endpoint -------------------------------------------------------------------
def parse_notifications(body: bytes | str | dict) -> list[ChangeNotification]:
    """The items of a change or lifecycle notification POST ({"value": [...]}). ValueError for anything else.

    These are claims to check (clientState, tenant, subscription id), never data to apply."""
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ValueError("notification body is not JSON") from None
    items = body.get("value") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise ValueError('notification body has no "value" list')
    return [_notification(item) for item in items]


# -- internals ----------------------------------------------------------------------------------------------------
def _is_outlook(resource: str) -> bool:
    path = resource.strip().strip("/").lower().split("?")[0]
    return path.endswith(("/contacts", "/messages", "/events")) or path in ("me/contacts", "me/messages", "me/events")


def _path(subscription_id: str) -> str:
    if not subscription_id:
        raise ValueError("subscription id is required")
    return "/subscriptions/" + quote(subscription_id, safe="")


def _json(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise UnexpectedResponse("expected a subscription object", response.status_code,
                                 response.headers.get("request-id"))
    return body


def _subscription(body, client_state: str | None = None) -> Subscription:
    try:
        return Subscription(
            id=str(body["id"]), resource=str(body["resource"]), change_type=str(body["changeType"]),
            notification_url=str(body["notificationUrl"]), expires=parse_graph_datetime(body["expirationDateTime"]),
            lifecycle_notification_url=body.get("lifecycleNotificationUrl"),
            client_state=body.get("clientState") or client_state, application_id=body.get("applicationId"))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UnexpectedResponse(f"not a subscription object ({type(exc).__name__}: {exc})") from None


def _notification(item) -> ChangeNotification:
    if not isinstance(item, dict) or not isinstance(item.get("subscriptionId"), str):
        raise ValueError("notification item without a subscriptionId")
    data = item.get("resourceData") if isinstance(item.get("resourceData"), dict) else {}
    event = item.get("lifecycleEvent")
    if event is not None and event not in LIFECYCLE_EVENTS:
        raise ValueError(f"unknown lifecycleEvent {event!r}")
    try:
        expires = parse_graph_datetime(item.get("subscriptionExpirationDateTime"))
    except (TypeError, ValueError):
        raise ValueError("subscriptionExpirationDateTime is not a date") from None
    return ChangeNotification(
        subscription_id=item["subscriptionId"], tenant_id=_text(item.get("tenantId")),
        client_state=_text(item.get("clientState")), subscription_expires=expires,
        change_type=_text(item.get("changeType")), resource=_text(item.get("resource")),
        resource_id=_text(data.get("id")), lifecycle_event=event)


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _validation_failure(error: GraphError) -> EndpointValidationFailed | None:
    """A 400 for the handshake: code ValidationError, or Graph's "Subscription validation request timed out."."""
    message = error.message or ""
    if error.status != 400 or not (error.code == "ValidationError"
                                   or message.startswith("Subscription validation request")):
        return None
    return EndpointValidationFailed(error.status, code=error.code, message=error.message, request_id=error.request_id,
                                    client_request_id=error.client_request_id, date=error.date, method=error.method,
                                    path=error.path)
