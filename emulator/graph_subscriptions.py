"""Graph /v1.0/subscriptions: create (with the validation handshake), list, get, renew (PATCH), delete, reauthorize.

Validation order on create: body, resource form, the caller's permission for it, changeType, URLs (https, unless
http notifications to a loopback host are allowed), clientState, TLS version, lifetime (45-minute floor, per-resource
maximum), the target user/group/mailbox, then the handshake with every distinct URL (outside any lock), then
duplicates and quotas.
"""

from emulator import subscription_rules as rules
from emulator.graph_common import GraphError, context_url, graph_json
from emulator.subscriptions import Subscription
from emulator.util import new_guid, utcnow
from emulator.web import Response

UPDATABLE = {"expirationDateTime", "notificationUrl", "@odata.type"}


def register(router) -> None:
    router.add("POST", "/v1.0/subscriptions", create_subscription)
    router.add("GET", "/v1.0/subscriptions", list_subscriptions)
    router.add("GET", "/v1.0/subscriptions/{subscription_id}", get_subscription)
    router.add("PATCH", "/v1.0/subscriptions/{subscription_id}", update_subscription)
    router.add("DELETE", "/v1.0/subscriptions/{subscription_id}", delete_subscription)
    router.add("POST", "/v1.0/subscriptions/{subscription_id}/reauthorize", reauthorize_subscription)


def _body(req) -> dict:
    try:
        body = req.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is "
                                            "set and payload is of valid JSON format.")
    return body


def _target_id(emu, resource: rules.ResourceForm) -> str | None:
    """The id of the user, group or mailbox owner the resource names (404 when it does not exist)."""
    if resource.key is None:
        return None
    state = emu.state
    with state.lock:
        if resource.form.startswith("group"):
            return state.groups.get(resource.key)["id"]
        user = state.users.get(resource.key)
        if user is None:
            if resource.family == "outlook":
                raise GraphError(404, "ErrorInvalidUser", f"The requested user '{resource.key}' is invalid.")
            raise GraphError(404, "Request_ResourceNotFound", f"Resource '{resource.key}' does not exist or one of its "
                                                              "queried reference-property objects are not present.")
        if resource.family == "outlook":
            state.mailboxes.for_user(user["id"]).owner_id  # noqa: B018  (a refused mailbox raises its error here)
        return user["id"]


def _validate_endpoints(emu, *urls) -> None:
    for url in dict.fromkeys(u for u in urls if u):
        emu.notifier.webhooks.validate(url)


def create_subscription(emu, req, params, claims):
    body = _body(req)
    settings = emu.notifier.settings
    resource = rules.parse_resource(body.get("resource"))
    rules.check_caller(resource, claims)
    change_type = rules.parse_change_type(body.get("changeType"))
    notification_url = rules.check_url(body.get("notificationUrl"), "notificationUrl", required=True,
                                       allow_http=settings.allow_http)
    lifecycle_url = rules.check_url(body.get("lifecycleNotificationUrl"), "lifecycleNotificationUrl",
                                    required=False, allow_http=settings.allow_http)
    client_state = rules.check_client_state(body.get("clientState"))
    tls_version = rules.check_tls_version(body.get("latestSupportedTlsVersion"))
    if body.get("includeResourceData"):
        raise rules.invalid("includeResourceData is not supported here: users and groups have no rich notifications, "
                            "and the emulator does not encrypt Outlook resource data.")
    expires = rules.parse_expiration(body.get("expirationDateTime"), utcnow(), resource.family, settings.max_minutes)
    target_id = claims.get("oid") if resource.form == "me_contacts" else _target_id(emu, resource)
    _validate_endpoints(emu, notification_url, lifecycle_url)
    sub = Subscription(
        id=new_guid(), resource=body["resource"], form=resource, target_id=target_id, change_type=change_type,
        notification_url=notification_url, lifecycle_url=lifecycle_url, client_state=client_state, expires=expires,
        app_id=claims.get("appid") or claims.get("azp") or "", creator_id=claims.get("oid") or "",
        tls_version=tls_version)
    emu.notifier.store.add(sub, settings)
    return graph_json(sub.graph(req.base_url), 201)


def _own(emu, params, claims) -> Subscription:
    """The caller's own subscription (404 otherwise), if the caller may still read its resource (403 otherwise)."""
    sub = emu.notifier.store.get(params["subscription_id"], claims.get("appid"))
    rules.check_caller(sub.form, claims)
    return sub


def list_subscriptions(emu, req, params, claims):
    app_id = (claims.get("appid") or "").lower()
    value = []
    for sub in sorted(emu.notifier.store.live(), key=lambda s: s.created):
        if sub.app_id.lower() == app_id:
            item = sub.graph(req.base_url, with_client_state=False)
            del item["@odata.context"]
            value.append(item)
    return graph_json({"@odata.context": context_url(req, "subscriptions"), "value": value})


def get_subscription(emu, req, params, claims):
    return graph_json(_own(emu, params, claims).graph(req.base_url, with_client_state=False))


def update_subscription(emu, req, params, claims):
    body = _body(req)
    sub = _own(emu, params, claims)
    settings = emu.notifier.settings
    unknown = sorted(set(body) - UPDATABLE)
    if unknown:
        raise rules.invalid(f"Only expirationDateTime and notificationUrl can be updated (got {', '.join(unknown)}).")
    if "expirationDateTime" not in body and "notificationUrl" not in body:
        raise rules.invalid("expirationDateTime is a required property for subscription renewal.")
    expires = sub.expires
    if "expirationDateTime" in body:
        expires = rules.parse_expiration(body["expirationDateTime"], utcnow(), sub.form.family, settings.max_minutes)
    url = sub.notification_url
    if "notificationUrl" in body:
        url = rules.check_url(body["notificationUrl"], "notificationUrl", required=True, allow_http=settings.allow_http)
        if url != sub.notification_url:
            _validate_endpoints(emu, url)
    with emu.notifier.store.lock:
        sub.expires, sub.notification_url, sub.pause_at = expires, url, None  # renewing also reauthorizes
    return graph_json(sub.graph(req.base_url))


def delete_subscription(emu, req, params, claims):
    sub = _own(emu, params, claims)
    emu.notifier.store.remove(sub.id)
    return Response(204, b"", [])


def reauthorize_subscription(emu, req, params, claims):
    sub = _own(emu, params, claims)
    with emu.notifier.store.lock:
        sub.pause_at = None
    return Response(204, b"", [])
