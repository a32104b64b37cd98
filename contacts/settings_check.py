"""Collaboration > Outlook contacts: newly chosen shared mailboxes are checked with Microsoft Graph before saving.

A mailbox comes from the picker, so it existed when it was found, but it may have been deleted since, lost its
Exchange Online mailbox, or be closed to the app (Contacts.Read, an application access policy); a chosen folder
may have been deleted. Such a change is held, not saved: a worker asks Graph (the web never waits on Microsoft).
Accepted, it is saved as if the admin had just pressed Save; refused, the Collaboration page shows Graph's reason
as the form's error with the typed choice kept. Until then the previous settings stay in effect for every run.
"""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict

from contacts.models import ContactSettings, SharedMailbox
from contacts.services import contact_settings_for, contact_settings_save
from integrations.connection_client import graph_client_for
from integrations.graph import GraphClientError
from integrations.graph.contacts import folder_url, folders_url, run_batch
from integrations.models import EntraConnection
from integrations.sync.failures import NOT_CONNECTED, SyncAborted, describe_failure
from pbx_portal import jobs
from pbx_portal.held_change import (
    PENDING,
    REFUSED,
    held_actor,
    held_change,
    refused_change,
    same_request,
)

FIELD = "shared_mailboxes"
CHECKING_MESSAGE = ("Microsoft Graph is checking the chosen shared mailboxes. Nothing is saved until it accepts "
                    "them: the previous contact settings stay in effect for every run.")


def mailboxes_to_check(organization, cleaned_data: dict) -> list[dict]:
    """The chosen mailboxes only Microsoft can accept: new ones, ones with a different folder choice, and every one
    when Shared Mailbox Contacts Synchronization is being switched on. [] when the change can be saved at once."""
    if not cleaned_data.get("shared_enabled"):
        return []  # not synced: nothing to check until the switch goes on
    mailboxes = cleaned_data.get("shared_mailboxes") or []
    if not contact_settings_for(organization).shared_enabled:
        return list(mailboxes)
    saved = {m.mailbox_id: (m.all_folders, sorted(m.folder_ids))
             for m in SharedMailbox.objects.filter(organization=organization)}
    return [m for m in mailboxes
            if saved.get(m["id"]) != (m["all_folders"], sorted(f["id"] for f in m["folders"]))]


def contact_settings_request(*, organization, actor, cleaned_data: dict, form_data: QueryDict) -> str:
    """Save the Collaboration contact settings ("saved", or "started" when the save started a contacts run), or
    hold them while Graph checks the mailboxes ("pending")."""
    settings = contact_settings_for(organization)
    checks = mailboxes_to_check(organization, cleaned_data)
    if checks:
        settings.pending_change = held_change(cleaned_data=cleaned_data, form_data=form_data,
                                              checks=[m["id"] for m in checks], actor=actor)
        _store(settings)
        jobs.enqueue("contacts.check_settings", organization.pk)
        return PENDING
    run = _save(organization, actor, cleaned_data)
    if settings.pending_change:
        contact_settings_discard(organization)
    return "started" if run else "saved"


def contact_settings_discard(organization) -> None:
    ContactSettings.objects.filter(organization=organization).update(pending_change={})


# -- in a worker ---------------------------------------------------------------------------------------------
def contact_settings_check(organization) -> dict:
    """Ask Microsoft Graph about the held mailboxes; save the change when every one is readable, else record why."""
    held = contact_settings_for(organization).pending_change or {}
    if held.get("status") != PENDING:
        return {"status": "nothing"}
    cleaned = held["cleaned_data"]
    checked = [m for m in cleaned.get("shared_mailboxes") or [] if m["id"] in held["checks"]]
    connection = EntraConnection.objects.filter(organization=organization).first()
    try:
        if connection is None or not connection.is_configured:
            raise SyncAborted(NOT_CONNECTED)
        refusal = mailbox_refusal(graph_client_for(connection), checked)
    except (GraphClientError, SyncAborted) as exc:
        refusal = describe_failure(exc, connection, "Checking the chosen shared mailboxes with Microsoft Graph") + \
            " Nothing was saved; save again to retry."
    with transaction.atomic():  # a save arriving now waits for this decision
        current = ContactSettings.objects.select_for_update().filter(organization=organization).first()
        if current is None or not same_request(held, current.pending_change or {}):
            return {"status": "superseded"}  # the admin saved something else meanwhile: that change is checked next
        if refusal:
            ContactSettings.objects.filter(pk=current.pk).update(
                pending_change=refused_change(held, field=FIELD, message=refusal))
            return {"status": REFUSED, "message": refusal}
        _save(organization, held_actor(held), cleaned)
        contact_settings_discard(organization)
    return {"status": "saved"}


def mailbox_refusal(client, mailboxes: list[dict]) -> str | None:
    """Why Graph will not let these mailboxes (and their chosen folders) be synced, or None: one $batch for all."""
    requests_, asked = [], []
    for mailbox in mailboxes:
        requests_.append((mailbox["id"], folders_url(mailbox["id"])))
        asked.append((mailbox, None))
        for folder in mailbox["folders"] if not mailbox["all_folders"] else []:
            requests_.append((mailbox["id"], folder_url(mailbox["id"], folder["id"])))
            asked.append((mailbox, folder))
    for (mailbox, folder), answer in zip(asked, run_batch(client, requests_), strict=True):
        if answer.ok:
            continue
        name = mailbox["name"] or mailbox["address"] or mailbox["id"]
        if answer.denied:
            return (f"Microsoft Graph refused to read the contacts of “{name}” ({answer.message}). The app needs the "
                    "application permission Contacts.Read with admin consent, and the mailbox must not be excluded "
                    "by an application access policy. Nothing was saved.")
        if folder is not None and answer.folder_gone:
            return (f"The folder “{folder['name'] or folder['id']}” of “{name}” no longer exists. Nothing was "
                    "saved: list that mailbox's folders again and choose.")
        if answer.status == 404:
            return (f"The mailbox “{name}” no longer exists in Microsoft Entra ID or has no Exchange Online "
                    f"mailbox ({answer.message}). Nothing was saved: remove it, or search for it again.")
        return (f"Microsoft Graph could not check “{name}” ({answer.message}). Nothing was saved; save again to "
                "retry.")
    return None


def _store(settings: ContactSettings) -> None:
    if settings.pk:
        ContactSettings.objects.filter(pk=settings.pk).update(pending_change=settings.pending_change)
    else:
        settings.save()


def _save(organization, actor, cleaned: dict):
    return contact_settings_save(organization=organization, actor=actor, personal_enabled=cleaned["personal_enabled"],
                                 shared_enabled=cleaned["shared_enabled"], mailboxes=cleaned["shared_mailboxes"])
