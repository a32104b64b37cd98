"""Graph Outlook contacts: /users/{id|upn}/contacts, /contactFolders, folder contacts and contacts delta."""

import time

from emulator.graph_common import GraphError, context_url, graph_json, page_link, project, selected
from emulator.mailboxes import CONTACT_FIELDS
from emulator.util import decode_token, encode_token

CONTACTS_READ = ("Contacts.Read", "Contacts.ReadWrite")
DENIED = ("ErrorAccessDenied", "Access is denied. Check credentials and try again.")
CONTACT_PROPERTIES = frozenset(CONTACT_FIELDS) | {"id", "createdDateTime", "lastModifiedDateTime", "changeKey",
                                                   "parentFolderId"}
DELTA_TTL = 7 * 86400


def register(router) -> None:
    meta = {"perms": CONTACTS_READ, "denied": DENIED}
    router.add("GET", "/v1.0/users/{user_id}/contacts", list_default_contacts, **meta)
    router.add("GET", "/v1.0/users/{user_id}/contacts/{contact_id}", get_contact, **meta)
    router.add("GET", "/v1.0/users/{user_id}/contactFolders", list_folders, **meta)
    router.add("GET", "/v1.0/users/{user_id}/contactFolders/{folder_id}/contacts/delta", contacts_delta,
               delta="outlook", **meta)
    router.add("GET", "/v1.0/users/{user_id}/contactFolders/{folder_id}/contacts", list_folder_contacts, **meta)
    router.add("GET", "/v1.0/users/{user_id}/contactFolders/{folder_id}/childFolders", list_child_folders, **meta)
    router.add("GET", "/v1.0/users/{user_id}/contactFolders/{folder_id}", get_folder, **meta)


def _mailbox(state, user_key: str):
    user = state.users.get(user_key)
    if user is None:
        raise GraphError(404, "ErrorInvalidUser", f"The requested user '{user_key}' is invalid.")
    return user, state.mailboxes.for_user(user["id"])


def _select(req) -> list[str] | None:
    return selected(req, CONTACT_PROPERTIES, "contact", code="RequestBroker--ParseUri")


def _shape(contact: dict, select) -> dict:
    if select is None:
        return dict(contact)
    return {"@odata.etag": contact["@odata.etag"], "id": contact["id"], **project(contact, select)}


def _top(req, default=10, maximum=1000) -> int:
    raw = req.query.get("$top", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise GraphError(400, "ErrorInvalidUrlQuery", f"The value '{raw}' of parameter '$top' is invalid.")
    return int(raw)


def _skip_page(req, path: str, fragment: str, items: list):
    top, skip = _top(req), int(req.query.get("$skip", "0") or 0)
    body = {"@odata.context": context_url(req, fragment)}
    body["value"] = items[skip: skip + top]
    if skip + top < len(items):
        query = {k: v for k, v in req.query.items() if k != "$skip"}
        query["$skip"] = str(skip + top)
        body["@odata.nextLink"] = page_link(req, path, query)
    return graph_json(body)


def _folder_contacts(emu, req, user_key: str, folder_id: str | None):
    select = _select(req)
    state = emu.state
    with state.lock:
        _, mailbox = _mailbox(state, user_key)
        folder = mailbox.folder(folder_id or mailbox.default_folder_id)
        items = [_shape(c, select) for c in mailbox.contacts[folder["id"]].values()]
    if folder_id is None:
        fragment = f"users('{user_key}')/contacts"
    else:
        fragment = f"users('{user_key}')/contactFolders('{folder_id}')/contacts"
    return _skip_page(req, req.path, fragment, items)


def list_default_contacts(emu, req, params, claims):
    return _folder_contacts(emu, req, params["user_id"], None)


def list_folder_contacts(emu, req, params, claims):
    return _folder_contacts(emu, req, params["user_id"], params["folder_id"])


def get_contact(emu, req, params, claims):
    select = _select(req)
    with emu.state.lock:
        _, mailbox = _mailbox(emu.state, params["user_id"])
        _, contact = mailbox.find_contact(params["contact_id"])
        body = _shape(contact, select)
    return graph_json({"@odata.context": context_url(req, f"users('{params['user_id']}')/contacts/$entity"),
                       **body})


def list_folders(emu, req, params, claims):
    with emu.state.lock:
        _, mailbox = _mailbox(emu.state, params["user_id"])
        default = mailbox.default_folder_id
        items = [mailbox.graph_folder(f) for f in mailbox.folders.values() if f["parentFolderId"] == default]
    return _skip_page(req, req.path, f"users('{params['user_id']}')/contactFolders", items)


def list_child_folders(emu, req, params, claims):
    with emu.state.lock:
        _, mailbox = _mailbox(emu.state, params["user_id"])
        parent = mailbox.folder(params["folder_id"])["id"]
        items = [mailbox.graph_folder(f) for f in mailbox.folders.values() if f["parentFolderId"] == parent]
    fragment = f"users('{params['user_id']}')/contactFolders('{params['folder_id']}')/childFolders"
    return _skip_page(req, req.path, fragment, items)


def get_folder(emu, req, params, claims):
    with emu.state.lock:
        _, mailbox = _mailbox(emu.state, params["user_id"])
        folder = mailbox.graph_folder(mailbox.folder(params["folder_id"]))
    return graph_json({"@odata.context": context_url(req, f"users('{params['user_id']}')/contactFolders/$entity"),
                       **folder})


def _page_size(req) -> tuple[int, list]:
    for part in (req.header("prefer") or "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "odata.maxpagesize" and value.isdigit():
            size = max(1, min(1000, int(value)))
            return size, [("Preference-Applied", f"odata.maxpagesize={size}")]
    return 10, []


def contacts_delta(emu, req, params, claims):
    from emulator.graph_users import delta_expired_response

    raw = req.query.get("$deltatoken") or req.query.get("$skiptoken")
    state = emu.state
    with state.lock:
        _, mailbox = _mailbox(state, params["user_id"])
        folder_id = mailbox.folder(params["folder_id"])["id"]
        if raw:
            token = decode_token(raw)
            if token is None or token.get("k") != "contacts" or token.get("fd") != folder_id:
                raise GraphError(400, "ErrorInvalidSyncStateData", "The SyncStateData is not valid.")
            if token.get("e") != emu.delta_epoch or time.time() - token.get("t", 0) > DELTA_TTL:
                return delta_expired_response(emu, req, emu.delta_expired_mode, outlook=True)
            if "seq" in token:
                token = {**token, "p": "chg", "start": token.pop("seq"), "end": len(mailbox.logs[folder_id]), "o": 0}
        else:
            token = {"k": "contacts", "e": emu.delta_epoch, "t": int(time.time()), "fd": folder_id,
                     "s": _select(req), "p": "init", "end": len(mailbox.logs[folder_id]), "o": 0}
        size, headers = _page_size(req)
        select = token["s"]
        if token["p"] == "init":
            ids = list(mailbox.contacts[folder_id])
        else:
            ids = mailbox.changes_between(folder_id, token["start"], token["end"])
        offset = token["o"]
        value = []
        for contact_id in ids[offset: offset + size]:
            contact = mailbox.contacts[folder_id].get(contact_id)
            if contact is None:
                value.append({"@odata.type": "#microsoft.graph.contact", "id": contact_id,
                              "@removed": {"reason": "deleted"}})
            else:
                value.append({"@odata.type": "#microsoft.graph.contact", **_shape(contact, select)})
    body = {"@odata.context": context_url(req, "Collection(contact)")}
    if offset + size < len(ids):
        body["@odata.nextLink"] = page_link(req, req.path, {"$skiptoken": encode_token({**token, "o": offset + size})})
    else:
        done = {k: token[k] for k in ("k", "e", "fd", "s")}
        done.update(t=int(time.time()), seq=token["end"])
        body["@odata.deltaLink"] = page_link(req, req.path, {"$deltatoken": encode_token(done)})
    body["value"] = value
    return graph_json(body, headers=headers)
