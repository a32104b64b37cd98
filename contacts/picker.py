"""The shared-mailbox picker's Graph reads (run in a Celery task, never in the web process)."""

from __future__ import annotations

from contacts.sync.read import default_folder_probe_url, folders_url, run_batch

SEARCH_LIMIT = 25


def _quote(value: str) -> str:
    return value.replace("'", "''")


def mailbox_search(client, query: str) -> list[dict]:
    """Mailboxes whose name or address starts with `query`; shared mailboxes (sign-in disabled) first."""
    q = _quote(query.strip())
    params = {"$filter": f"startswith(displayName,'{q}') or startswith(mail,'{q}') or "
                         f"startswith(userPrincipalName,'{q}')",
              "$select": "id,displayName,mail,userPrincipalName,accountEnabled", "$top": SEARCH_LIMIT}
    page = next(client.iter_pages("/users", params=params), [])
    results = [{"id": u["id"], "name": u.get("displayName") or "", "address": u.get("mail") or
                u.get("userPrincipalName") or "", "shared": u.get("accountEnabled") is False}
               for u in page if u.get("id") and (u.get("mail") or u.get("userPrincipalName"))]
    return sorted(results, key=lambda r: (not r["shared"], r["name"].casefold()))


def mailbox_folder_list(client, mailbox_id: str) -> list[dict]:
    """The mailbox's default contact folder and its top-level subfolders: [{"id", "name"}]."""
    top, probe = run_batch(client, [(mailbox_id, folders_url(mailbox_id)),
                                    (mailbox_id, default_folder_probe_url(mailbox_id))])
    for answer in (top, probe):
        if answer.denied:
            raise PickerError(f"Microsoft Graph refused to list this mailbox's folders ({answer.message}). The app "
                              "needs the application permission Contacts.Read with admin consent, and the mailbox "
                              "must not be excluded by an application access policy.")
        if not answer.ok:
            raise PickerError(answer.message)
    default_id = next((f.get("parentFolderId") for f in top.items if f.get("parentFolderId")), None)
    if default_id is None and probe.items:
        default_id = probe.items[0].get("parentFolderId")
    folders = [{"id": default_id or "contacts", "name": "Contacts"}]
    folders += [{"id": f["id"], "name": f.get("displayName") or ""} for f in top.items if f.get("id")]
    return folders


class PickerError(Exception):
    pass
