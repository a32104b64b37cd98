"""A User Synchronization change that Microsoft must accept first (a custom filter, chosen groups).

The change is held, not saved: a worker asks Microsoft Graph (the web never waits on it). Accepted, it is saved
as if the admin had just pressed Save; refused, the page shows Graph's reason as the form's error with the typed
values kept. Until then the previous settings stay in effect for every run, scheduled or explicit.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from integrations.connection_client import graph_client_for
from integrations.graph import GraphClientError, GraphError, NotFound
from integrations.graph.groups import group_name
from integrations.graph.users import filter_preview
from integrations.models import EntraConnection
from integrations.sync.failures import NOT_CONNECTED, SyncAborted, describe_failure
from integrations.sync.users.models import UserSyncSettings
from pbx_portal import jobs
from pbx_portal.held_change import (
    PENDING,
    REFUSED,
    held_actor,
    held_change,
    held_form_data,
    refused_change,
    same_request,
)

logger = logging.getLogger(__name__)
Scope = UserSyncSettings.Scope


def checks_needed(settings: UserSyncSettings, cleaned_data: dict) -> list[str]:
    """What of this change only Microsoft can accept: [] when it can be saved at once."""
    scope = cleaned_data.get("scope")
    if scope == Scope.FILTER:
        check = settings.filter_check or {}
        if check.get("status") != "valid" or check.get("filter") != cleaned_data.get("custom_filter"):
            return ["filter"]
    if scope == Scope.GROUPS:
        chosen = {g["id"] for g in cleaned_data.get("groups") or []}
        if settings.scope != Scope.GROUPS or chosen != {g["id"] for g in settings.groups}:
            return ["groups"]
    return []


def pending_change_hold(*, settings: UserSyncSettings, cleaned_data: dict, form_data: QueryDict, checks: list[str],
                        actor) -> None:
    """Keep the change (and the form as typed) until Microsoft Graph has answered; queue the check."""
    settings.pending_change = held_change(cleaned_data=cleaned_data, form_data=form_data, checks=checks, actor=actor)
    UserSyncSettings.objects.filter(pk=settings.pk).update(pending_change=settings.pending_change)
    jobs.enqueue("sync.check_settings", settings.organization_id)


def pending_change_discard(settings: UserSyncSettings) -> None:
    UserSyncSettings.objects.filter(pk=settings.pk).update(pending_change={})
    settings.pending_change = {}


def pending_form_data(settings: UserSyncSettings) -> QueryDict | None:
    """The form as the admin typed it, while their change waits or after Microsoft refused it."""
    return held_form_data(settings.pending_change)


# -- in a worker ---------------------------------------------------------------------------------------------
def pending_change_check(organization, save) -> dict:
    """Ask Microsoft Graph; save(cleaned_data, actor, filter_verdict) on success, else record the refusal."""
    settings = UserSyncSettings.objects.get(organization=organization)
    pending = settings.pending_change or {}
    if pending.get("status") != PENDING:
        return {"status": "nothing"}
    cleaned = pending["cleaned_data"]
    connection = EntraConnection.objects.filter(organization=organization).first()
    verdict, refusal = None, None
    try:
        if connection is None or not connection.is_configured:
            raise SyncAborted(NOT_CONNECTED)
        client = graph_client_for(connection)
        if "filter" in pending["checks"]:
            verdict, refusal = _check_filter(client, cleaned["custom_filter"])
        if "groups" in pending["checks"]:
            refusal = _check_groups(client, cleaned["groups"])
    except (GraphClientError, SyncAborted) as exc:
        field = "custom_filter" if "filter" in pending["checks"] else "group_ids"
        refusal = (field, describe_failure(exc, connection, "Checking the settings with Microsoft Graph") +
                   " Nothing was saved; save again to retry.")
    with transaction.atomic():  # a save arriving now waits for this decision (locks in the Save's order)
        EntraConnection.objects.select_for_update().filter(organization=organization).first()
        current = UserSyncSettings.objects.select_for_update().get(pk=settings.pk)
        if not same_request(pending, current.pending_change or {}):
            return {"status": "superseded"}  # the admin saved something else meanwhile: that change is checked next
        if refusal:
            field, message = refusal
            UserSyncSettings.objects.filter(pk=settings.pk).update(
                pending_change=refused_change(pending, field=field, message=message))
            return {"status": REFUSED, "message": message}
        save(cleaned, held_actor(pending), verdict)
        UserSyncSettings.objects.filter(pk=settings.pk).update(pending_change={})
    return {"status": "saved"}


def _check_filter(client, odata_filter: str):
    verdict = {"filter": odata_filter, "checked_at": timezone.now().isoformat()}
    try:
        preview = filter_preview(client, odata_filter)
    except GraphError as exc:
        if exc.status == 400:
            return None, ("custom_filter", f"Microsoft Graph refused the filter: {exc.message} Nothing was saved: "
                                           "correct the filter and save again.")
        raise
    verdict.update(status="valid", advanced=preview.advanced, count=preview.count,
                   sample=[{"id": u.id, "name": u.display_name, "upn": u.user_principal_name} for u in preview.sample])
    return verdict, None


def _check_groups(client, groups: list[dict]):
    for group in groups:
        try:
            group_name(client, group["id"])
        except NotFound:
            name = group.get("name") or group["id"]
            return ("group_ids", f"The group “{name}” no longer exists in Microsoft Entra ID. Nothing was saved: "
                                 "refresh the group list and choose the groups again.")
    return None
