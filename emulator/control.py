"""The control API under /_emulator/ (JSON, no auth): tests and benchmarks change the tenant while it runs."""

import datetime as dt

from emulator import graph_presence
from emulator.appreg import make_secret_value
from emulator.control_bulk import bulk_users
from emulator.directory import EMPTY_EXTENSIONS, USER_PROPERTIES, DirectoryError
from emulator.faults import FaultError
from emulator.graph_common import GraphError
from emulator.presence import SIGNED_OUT
from emulator.state import graph_group
from emulator.util import iso, new_guid, parse_iso, utcnow
from emulator.web import Response, json_response

C = "/_emulator"


def register(router) -> None:
    routes = [
        ("GET", "/state", state_summary), ("POST", "/reset", reset),
        ("GET", "/requests", request_counts), ("DELETE", "/requests", clear_request_counts),
        ("POST", "/users", create_user), ("POST", "/users/bulk", bulk_users), ("GET", "/users/{user_id}", get_user),
        ("PATCH", "/users/{user_id}", update_user), ("DELETE", "/users/{user_id}", hard_delete_user),
        ("POST", "/users/{user_id}/soft-delete", soft_delete_user), ("POST", "/users/{user_id}/restore", restore_user),
        ("POST", "/groups", create_group), ("POST", "/groups/{group_id}/members", add_member),
        ("DELETE", "/groups/{group_id}/members/{member_id}", remove_member),
        ("GET", "/presence-config", presence_config), ("POST", "/presence-config", presence_config),
        ("GET", "/presence/{user_id}", get_presence),
        ("POST", "/presence/{user_id}", set_presence), ("PUT", "/presence/{user_id}", set_presence),
        ("POST", "/mailboxes", create_shared_mailbox), ("GET", "/mailboxes/{user_id}", get_mailbox),
        ("POST", "/mailboxes/{user_id}/folders", add_folder),
        ("POST", "/mailboxes/{user_id}/contacts", add_contact),
        ("PATCH", "/mailboxes/{user_id}/contacts/{contact_id}", update_contact),
        ("DELETE", "/mailboxes/{user_id}/contacts/{contact_id}", delete_contact),
        ("POST", "/mailboxes/{user_id}/access", mailbox_access),
        ("POST", "/app/permissions", app_permissions), ("POST", "/app/secret", app_secret),
        ("POST", "/app/redirect-uris", app_redirect_uris), ("DELETE", "/app/redirect-uris", app_redirect_uris),
        ("POST", "/app/certificates", app_certificates),
        ("GET", "/faults", list_faults), ("POST", "/faults", add_fault), ("DELETE", "/faults", clear_faults),
        ("POST", "/throttling", throttling), ("POST", "/delta/expire", expire_delta_tokens),
    ]
    for method, path, handler in routes:
        router.add(method, C + path, _wrap(handler), kind="control")


def _wrap(handler):
    def run(emu, req, params, claims=None):
        try:
            body = req.json() if req.body else {}
        except ValueError:
            return json_response(400, {"error": "body is not JSON"})
        try:
            with emu.state.lock:
                result = handler(emu, body if isinstance(body, dict) else {"items": body},
                                 {**params, "_method": req.method})
        except (DirectoryError, GraphError) as exc:
            return json_response(exc.status, {"error": exc.message, "code": exc.code})
        except (FaultError, ValueError, KeyError, TypeError) as exc:
            return json_response(400, {"error": str(exc)})
        if isinstance(result, Response):
            return result
        return json_response(200, result)
    run.__name__ = handler.__name__
    return run


def user_record(emu, user_id: str) -> dict:
    users = emu.state.users
    user = users.get(user_id) or users.soft_deleted.get(user_id)
    if user is None:
        raise DirectoryError(404, "Request_ResourceNotFound", f"user '{user_id}' not found")
    return user


# --- state, counters -------------------------------------------------------------------------------
def state_summary(emu, body, params):
    return {**emu.state.summary(), "faults": emu.faults.list(), "throttling": emu.throttle.snapshot(),
            "delta_epoch": emu.delta_epoch, "base_url": emu.base_url}


def reset(emu, body, params):
    emu.reset()
    return {"reset": True, "users": len(emu.state.users.ids)}


def request_counts(emu, body, params):
    return emu.counts_snapshot()


def clear_request_counts(emu, body, params):
    emu.clear_counts()
    return {"cleared": True}


# --- users ---------------------------------------------------------------------------------------
def check_props(data: dict) -> dict:
    extra = {k: v for k, v in data.items() if k not in USER_PROPERTIES and k != "password"}
    if extra:
        raise ValueError(f"unknown user properties: {sorted(extra)}")
    return {k: v for k, v in data.items() if k != "password"}


def create_user(emu, body, params):
    props = check_props(body)
    state = emu.state
    nick = props.get("mailNickname") or (props.get("userPrincipalName") or "").split("@")[0] or \
        (props.get("displayName") or "user").replace(" ", ".").lower()
    upn = props.get("userPrincipalName") or f"{nick}@{state.domain}"
    user = {name: None for name in USER_PROPERTIES}
    user.update(businessPhones=[], proxyAddresses=[f"SMTP:{upn}"], otherMails=[], accountEnabled=True,
                userType="Member", userPrincipalName=upn, mail=upn, mailNickname=nick,
                onPremisesExtensionAttributes=dict(EMPTY_EXTENSIONS), createdDateTime=iso(utcnow()), id=new_guid())
    ext = props.pop("onPremisesExtensionAttributes", None) or {}
    user.update({k: v for k, v in props.items() if k != "id"})
    user["onPremisesExtensionAttributes"].update(ext)
    if props.get("id"):
        user["id"] = props["id"]
    return state.users.create(user, body.get("password"))


def get_user(emu, body, params):
    user = user_record(emu, params["user_id"])
    return {**user, "_state": emu.state.users.state_of(user["id"])}


def update_user(emu, body, params):
    users = emu.state.users
    user = user_record(emu, params["user_id"])
    if "password" in body:
        users.passwords[user["userPrincipalName"].lower()] = body["password"]
    props = check_props(body)
    return users.update(user["id"], props) if props else user


def soft_delete_user(emu, body, params):
    emu.state.users.soft_delete(user_record(emu, params["user_id"])["id"])
    return {"id": params["user_id"], "state": "soft_deleted"}


def restore_user(emu, body, params):
    return emu.state.users.restore(params["user_id"])


def hard_delete_user(emu, body, params):
    emu.state.users.hard_delete(params["user_id"])
    return {"id": params["user_id"], "state": "deleted"}


# --- groups, presence ------------------------------------------------------------------------------
def create_group(emu, body, params):
    groups = emu.state.groups
    group = groups.create(graph_group({"id": body.get("id") or new_guid(), "displayName": body["displayName"],
                                       "description": body.get("description"),
                                       "mailNickname": body.get("mailNickname")}))
    for member in body.get("members", []):
        kind = "group" if member in groups.by_id else "user"
        groups.add_member(group["id"], kind, member)
    return {**group, "members": [m[1] for m in groups.members[group["id"]]]}


def add_member(emu, body, params):
    member_id = body["id"]
    kind = body.get("type") or ("group" if member_id in emu.state.groups.by_id else "user")
    if kind == "user":
        member_id = user_record(emu, member_id)["id"]
    emu.state.groups.add_member(params["group_id"], kind, member_id)
    return {"group_id": params["group_id"], "members": [m[1] for m in emu.state.groups.members[params["group_id"]]]}


def remove_member(emu, body, params):
    emu.state.groups.remove_member(params["group_id"], params["member_id"])
    return {"group_id": params["group_id"], "members": [m[1] for m in emu.state.groups.members[params["group_id"]]]}


def set_presence(emu, body, params):
    """The user in Teams: {"availability", "activity"?, "expirationDuration"?} sets the user's preferred presence
    (and signs the Teams client in); {"availability": null} clears it; {"signedIn": bool} signs the Teams client
    in or out; {"licensed": bool} gives or takes the Teams license."""
    user_id = user_record(emu, params["user_id"])["id"]
    presence = emu.state.presence
    if "licensed" in body:
        if not isinstance(body["licensed"], bool):
            raise ValueError("licensed must be true or false")
        (presence.unlicensed.discard if body["licensed"] else presence.unlicensed.add)(user_id)
    if "signedIn" in body:
        if not isinstance(body["signedIn"], bool):
            raise ValueError("signedIn must be true or false")
        presence.set_client(user_id, body["signedIn"])
    if "availability" in body:
        availability = body["availability"]
        if availability is None:
            presence.clear_preferred(user_id)
        else:
            if not isinstance(availability, str) or not availability:
                raise ValueError("availability must be a presence availability string, or null to clear")
            lifetime = None
            if body.get("expirationDuration") is not None:
                lifetime = graph_presence.parse_duration(body["expirationDuration"])
            if "signedIn" not in body and presence.client.get(user_id, ("Offline",))[0] in SIGNED_OUT:
                presence.set_client(user_id, True)
            presence.set_preferred(user_id, availability, body.get("activity") or availability, lifetime)
    return presence.describe(user_id)


def get_presence(emu, body, params):
    return emu.state.presence.describe(user_record(emu, params["user_id"])["id"])


def presence_config(emu, body, params):
    """{"idle_timeout", "away_timeout"} seconds (Available fades), {"rate_limit", "rate_window", "retry_after"}
    for getPresencesByUserId (1,500 per 30 s per app by default; "rate_limit": null turns it off)."""
    result = emu.state.presence.configure(body.get("idle_timeout"), body.get("away_timeout"))
    limiter = emu.presence_throttle
    if any(k in body for k in ("rate_limit", "rate_window", "retry_after")):
        options = {"retry_after": body["retry_after"]} if "retry_after" in body else {}
        limiter.configure(body.get("rate_limit", limiter.limit), body.get("rate_window"), **options)
    snapshot = limiter.snapshot()
    return {**result, "rate_limit": snapshot["limit"], "rate_window": snapshot["window"],
            "retry_after": snapshot["retry_after"], "throttled": snapshot["throttled"]}


# --- mailboxes and contacts ----------------------------------------------------------------------------
def create_shared_mailbox(emu, body, params):
    data = {"displayName": body["displayName"], "accountEnabled": False,
            **{k: v for k, v in body.items() if k in ("mailNickname", "userPrincipalName", "businessPhones")}}
    user = create_user(emu, data, {})
    emu.state.mailboxes.for_user(user["id"])
    emu.state.shared_mailbox_ids.append(user["id"])
    return user


def get_mailbox(emu, body, params):
    mailbox = emu.state.mailboxes.for_user(user_record(emu, params["user_id"])["id"])
    return {"owner_id": mailbox.owner_id, "default_folder_id": mailbox.default_folder_id,
            "folders": [{**f, "contacts": len(mailbox.contacts[f["id"]])} for f in mailbox.folders.values()]}


def _folder_id(mailbox, body) -> str | None:
    folder = body.get("folder") or body.get("folder_id")
    if not folder:
        return None
    for f in mailbox.folders.values():
        if folder in (f["id"], f["displayName"]):
            return f["id"]
    return mailbox.folder(folder)["id"]


def add_folder(emu, body, params):
    mailbox = emu.state.mailboxes.for_user(user_record(emu, params["user_id"])["id"])
    return mailbox.add_folder(body["displayName"], parent_id=body.get("parentFolderId"))


def add_contact(emu, body, params):
    """One contact, or many at once: {"items": [contact, ...]} (a JSON list body) -> {"ids": [...]}."""
    mailbox = emu.state.mailboxes.for_user(user_record(emu, params["user_id"])["id"])
    if isinstance(body.get("items"), list):
        return {"ids": [mailbox.add_contact(item, _folder_id(mailbox, item))["id"] for item in body["items"]]}
    return mailbox.add_contact(body, _folder_id(mailbox, body))


class _RefusedMailbox:
    """Stands in for a mailbox Graph may not read: every contacts call answers the chosen error."""

    def __init__(self, inner, status: int, code: str, message: str):
        self.inner, self.error = inner, (status, code, message)

    def __getattr__(self, name):
        raise DirectoryError(*self.error)


def mailbox_access(emu, body, params):
    """{"refuse": 403|404} makes the user's contacts answer 403 ErrorAccessDenied (an application access policy)
    or 404 MailboxNotEnabledForRESTAPI (no Exchange license); {"refuse": null} restores the mailbox."""
    user_id = user_record(emu, params["user_id"])["id"]
    boxes = emu.state.mailboxes.by_owner
    current = boxes.get(user_id)
    inner = current.inner if isinstance(current, _RefusedMailbox) else emu.state.mailboxes.for_user(user_id)
    refuse = body.get("refuse")
    if refuse is None:
        boxes[user_id] = inner
    elif int(refuse) == 403:
        boxes[user_id] = _RefusedMailbox(inner, 403, "ErrorAccessDenied",
                                         "Access to OData is disabled: application access policy.")
    elif int(refuse) == 404:
        boxes[user_id] = _RefusedMailbox(inner, 404, "MailboxNotEnabledForRESTAPI",
                                         "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
    else:
        raise ValueError("refuse must be 403, 404 or null")
    return {"id": user_id, "refuse": refuse}


def update_contact(emu, body, params):
    mailbox = emu.state.mailboxes.for_user(user_record(emu, params["user_id"])["id"])
    return mailbox.update_contact(params["contact_id"], body)


def delete_contact(emu, body, params):
    mailbox = emu.state.mailboxes.for_user(user_record(emu, params["user_id"])["id"])
    mailbox.delete_contact(params["contact_id"])
    return {"id": params["contact_id"], "deleted": True}


# --- app registration ---------------------------------------------------------------------------------
def app_permissions(emu, body, params):
    app = emu.state.app
    if "permissions" in body:
        app.permissions = list(dict.fromkeys(body["permissions"]))
    for name in body.get("grant", []):
        if name not in app.permissions:
            app.permissions.append(name)
    for name in body.get("revoke", []):
        if name in app.permissions:
            app.permissions.remove(name)
    return {"permissions": list(app.permissions)}


def app_secret(emu, body, params):
    """{"action": "expire"|"rotate"|"set_expiry", "key_id"?, "end"?, "remove_old"?, "secret"?}"""
    app = emu.state.app
    action = body.get("action", "rotate")
    if action == "expire":
        app.expire_secrets(body.get("key_id"))
    elif action == "set_expiry":
        end = parse_iso(body["end"]) if "end" in body else utcnow() + dt.timedelta(days=float(body["days"]))
        app.set_secret_expiry(end, body.get("key_id"))
    elif action == "rotate":
        end = parse_iso(body["end"]) if body.get("end") else None
        if body.get("remove_old"):
            app.secrets.clear()
        entry = app.add_secret(body.get("secret") or make_secret_value(), end=end)
        return {"client_secret": entry["secretText"], "secret_id": entry["keyId"], "secret_hint": entry["hint"],
                "secret_expires": iso(entry["endDateTime"]), "passwordCredentials": app.password_credentials()}
    else:
        raise ValueError("action must be expire, rotate or set_expiry")
    return {"passwordCredentials": app.password_credentials()}


def app_redirect_uris(emu, body, params):
    app = emu.state.app
    uris = body.get("uris") or ([body["uri"]] if "uri" in body else [])
    for uri in uris:
        if body.get("remove") or params["_method"] == "DELETE":
            if uri in app.redirect_uris:
                app.redirect_uris.remove(uri)
        elif uri not in app.redirect_uris:
            app.redirect_uris.append(uri)
    return {"redirect_uris": list(app.redirect_uris)}


def app_certificates(emu, body, params):
    entry = emu.state.app.add_certificate(body["pem"], body.get("display_name"))
    return {"keyId": entry["keyId"], "thumbprint": entry["sha1"].hex().upper(),
            "thumbprint_sha256": entry["sha256"].hex().upper(), "keyCredentials": emu.state.app.key_credentials()}


# --- faults, throttling, delta ----------------------------------------------------------------------
def list_faults(emu, body, params):
    return {"faults": emu.faults.list()}


def add_fault(emu, body, params):
    return emu.faults.add(body)


def clear_faults(emu, body, params):
    emu.faults.clear()
    return {"faults": []}


def throttling(emu, body, params):
    options = {"retry_after": body["retry_after"]} if "retry_after" in body else {}
    emu.throttle.configure(body.get("limit"), body.get("window"), **options)
    return emu.throttle.snapshot()


def expire_delta_tokens(emu, body, params):
    """Every delta token issued so far answers syncStateNotFound: mode "400" (default) or "410" (Gone+Location)."""
    mode = str(body.get("mode", "400"))
    if mode not in ("400", "410"):
        raise ValueError("mode must be '400' or '410'")
    emu.delta_epoch += 1
    emu.delta_expired_mode = mode
    return {"delta_epoch": emu.delta_epoch, "mode": mode}
