"""Writes: the Collaboration page's contact settings, and picker requests handed to Celery."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from contacts.models import ContactSettings, PickerRequest, SharedMailbox
from contacts.picker import PickerError, mailbox_folder_list, mailbox_search
from integrations.connection_client import graph_client_for
from integrations.graph import GraphClientError, PermissionDenied
from integrations.models import EntraConnection
from integrations.sync.dispatch import ensure_schedules_for
from integrations.sync.models import SyncKind, SyncRun
from integrations.sync.realtime.settings_switch import realtime_refresh_request
from integrations.sync.registry import why_not_runnable
from integrations.sync.runs import run_request
from organizations.audit import audit_record
from pbx_portal import jobs

logger = logging.getLogger(__name__)
PICKER_KEEP = timedelta(hours=1)


def contact_settings_for(organization) -> ContactSettings:
    return ContactSettings.objects.filter(organization=organization).first() or ContactSettings(
        organization=organization)


@transaction.atomic
def contact_settings_save(*, organization, actor, personal_enabled: bool, shared_enabled: bool,
                          mailboxes: list[dict]) -> SyncRun | None:
    """Save both switches and the chosen shared mailboxes (validated by the form); audit; queue a first run when a
    switch is on and something changed (the admin's request for contacts). Returns that run, if one started."""
    settings = contact_settings_for(organization)
    before = {"personal_enabled": settings.personal_enabled, "shared_enabled": settings.shared_enabled,
              "shared_mailboxes": _describe(SharedMailbox.objects.filter(organization=organization))}
    settings.personal_enabled, settings.shared_enabled = personal_enabled, shared_enabled
    settings.save()
    wanted = {m["id"]: m for m in mailboxes}
    SharedMailbox.objects.filter(organization=organization).exclude(mailbox_id__in=list(wanted)).delete()
    for mailbox_id, data in wanted.items():
        SharedMailbox.objects.update_or_create(
            organization=organization, mailbox_id=mailbox_id,
            defaults={"address": data["address"], "display_name": data["name"], "all_folders": data["all_folders"],
                      "folders": data["folders"]})
    after = {"personal_enabled": personal_enabled, "shared_enabled": shared_enabled,
             "shared_mailboxes": _describe(SharedMailbox.objects.filter(organization=organization))}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    connection = EntraConnection.objects.filter(organization=organization).first()
    enabled = personal_enabled or shared_enabled
    if connection is not None and connection.feature_contacts != enabled:
        EntraConnection.objects.filter(pk=connection.pk).update(feature_contacts=enabled)
        connection.feature_contacts = enabled
        ensure_schedules_for(connection)
        changes["feature_contacts"] = [not enabled, enabled]
    if changes:
        audit_record(organization=organization, actor=actor, action="contacts.settings_changed",
                     target="Outlook contacts synchronization", changes=changes)
        realtime_refresh_request(organization)  # the mailboxes decide what is subscribed to
    if enabled and changes and why_not_runnable(connection, SyncKind.CONTACTS) is None:
        run, created = run_request(organization=organization, kind=SyncKind.CONTACTS,
                                   trigger=SyncRun.Trigger.SETTINGS, actor=actor)
        return run if created else None
    return None


def _describe(mailboxes) -> str:
    parts = []
    for mailbox in mailboxes:
        folders = "all folders" if mailbox.all_folders else ", ".join(f.get("name", "") for f in mailbox.folders)
        parts.append(f"{mailbox} ({folders})")
    return "; ".join(parts)


def picker_request_create(*, organization, action: str, query: str) -> PickerRequest:
    PickerRequest.objects.filter(created_at__lt=timezone.now() - PICKER_KEEP).delete()
    request = PickerRequest.objects.create(organization=organization, action=action, query=query[:254])
    jobs.enqueue("contacts.picker", request.pk)
    return request


def picker_request_run(*, request: PickerRequest) -> PickerRequest:
    """Do the Graph read of a picker request (in a worker) and store the results or the error."""
    connection = EntraConnection.objects.filter(organization_id=request.organization_id).first()
    try:
        if connection is None or not connection.is_configured:
            raise PickerError("Microsoft Entra ID is not connected: enter the connection settings first.")
        client = graph_client_for(connection)
        if request.action == PickerRequest.Action.SEARCH:
            results = mailbox_search(client, request.query)
        else:
            results = mailbox_folder_list(client, request.query)
        request.status, request.results = PickerRequest.Status.DONE, results
    except (PickerError, GraphClientError) as exc:
        logger.info("Picker request %s failed: %s", request.pk, exc)
        request.status, request.error = PickerRequest.Status.FAILED, _picker_error(exc)
    request.save(update_fields=["status", "results", "error"])
    return request


def _picker_error(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied):
        return ("Microsoft Graph refused: the app needs the application permissions User.Read.All (to find "
                "mailboxes) and Contacts.Read (to list their folders), with admin consent.")
    return str(exc)[:500]


def contacts_sync_now(*, organization, actor) -> tuple[SyncRun, bool]:
    """Start a contacts run now (or return the running one)."""
    run, created = run_request(organization=organization, kind=SyncKind.CONTACTS, trigger=SyncRun.Trigger.MANUAL,
                               actor=actor)
    if created:
        audit_record(organization=organization, actor=actor, action="sync.started", target=f"Sync run {run.pk}")
    return run, created
