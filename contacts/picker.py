"""The shared-mailbox picker's Graph reads (run in a Celery task, never in the web process)."""

from __future__ import annotations

from integrations.graph.contacts import DEFAULT_FOLDER, default_folder_probe_url, folders_url, run_batch
from integrations.graph.users import users_starting_with

SEARCH_LIMIT = 25


def mailbox_search(client, query: str) -> list[dict]:
    """Mailboxes whose name or address starts with `query`; shared mailboxes (sign-in disabled) first."""
    results = [{"id": u.id, "name": u.display_name, "address": u.mail or u.user_principal_name,
                "shared": not u.account_enabled}
               for u in users_starting_with(client, query, SEARCH_LIMIT) if u.mail or u.user_principal_name]
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
    subfolders = top.folders()
    default_id = next((f.parent_id for f in subfolders if f.parent_id), None) or probe.parent_folder_id()
    folders = [{"id": default_id or DEFAULT_FOLDER, "name": "Contacts"}]
    folders += [{"id": f.id, "name": f.name} for f in subfolders]
    return folders


class PickerError(Exception):
    pass
