"""Writes behind the User Synchronization page: settings (audited), Sync Now, Preview, single user, groups, filter.

Anything that talks to Microsoft is a task; these functions only write rows and queue work.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from integrations.connection_client import graph_client_for
from integrations.graph import GraphClientError, GraphError
from integrations.graph.groups import all_groups
from integrations.graph.users import filter_preview
from integrations.models import EntraConnection
from integrations.sync.failures import SyncAborted, describe_failure
from integrations.sync.models import SyncKind, SyncRun
from integrations.sync.quarantine import quarantine_lift, schedule_for
from integrations.sync.realtime.settings_switch import realtime_refresh_request
from integrations.sync.runs import run_request
from integrations.sync.users.models import DirectoryGroup, UserSyncSettings
from integrations.sync.users.pending import (
    checks_needed,
    pending_change_check,
    pending_change_discard,
    pending_change_hold,
)
from organizations.audit import audit_record, field_changes
from pbx_portal import jobs
from pbx_portal.times import local_text

logger = logging.getLogger(__name__)

AUTOMATIC_TRIGGERS = (SyncRun.Trigger.SCHEDULE, SyncRun.Trigger.NOTIFICATION)  # runs nobody started by hand

AUDITED_SETTINGS = ("scope", "include_guests", "disabled_accounts", "groups", "custom_filter", "numbering",
                    "range_start", "range_end", "reserved_numbers", "number_attribute", "number_rule",
                    "number_digits", "removal_grace_days", "threshold_percent", "threshold_count")
SETTING_LABELS = {
    "enabled": "User synchronization", "scope": "Scope", "include_guests": "Include guest users",
    "disabled_accounts": "Disabled accounts", "groups": "Groups", "custom_filter": "Custom filter",
    "numbering": "Extension numbers", "range_start": "Range start", "range_end": "Range end",
    "reserved_numbers": "Reserved numbers", "number_attribute": "Number attribute", "number_rule": "Number rule",
    "number_digits": "Number of digits", "removal_grace_days": "Delete after (days)",
    "threshold_percent": "Deletion threshold (%)", "threshold_count": "Deletion threshold (extensions)",
    "interval_minutes": "Sync interval (minutes)",
}


def user_sync_settings_for(organization) -> UserSyncSettings:
    settings, _ = UserSyncSettings.objects.get_or_create(organization=organization)
    return settings


def _snapshot(settings: UserSyncSettings, connection: EntraConnection | None, interval_minutes: int) -> dict:
    values = {name: getattr(settings, name) for name in AUDITED_SETTINGS}
    values["groups"] = ", ".join(g.get("name") or g["id"] for g in settings.groups)
    values["enabled"] = bool(connection and connection.feature_user_sync)
    values["interval_minutes"] = interval_minutes
    return values


def user_sync_settings_save(*, organization, cleaned_data: dict, actor, form_data=None) -> UserSyncSettings:
    """Save the form; a change only Microsoft can accept (filter, groups) is held and checked by a worker first,
    and the settings in effect stay as they were until it passes (settings.pending_change says so)."""
    settings = user_sync_settings_for(organization)
    checks = checks_needed(settings, cleaned_data)
    if checks:
        pending_change_hold(settings=settings, cleaned_data=cleaned_data, form_data=form_data or QueryDict(),
                            checks=checks, actor=actor)
        return settings
    if settings.pending_change:
        pending_change_discard(settings)
    return _settings_apply(organization=organization, cleaned_data=cleaned_data, actor=actor)


def pending_change_run(organization) -> dict:
    """In a worker: ask Microsoft about the held change; save it when accepted."""
    return pending_change_check(organization, lambda cleaned, actor, verdict: _settings_apply(
        organization=organization, cleaned_data=cleaned, actor=actor, filter_verdict=verdict))


@transaction.atomic
def _settings_apply(*, organization, cleaned_data: dict, actor, filter_verdict: dict | None = None
                    ) -> UserSyncSettings:
    settings = user_sync_settings_for(organization)
    connection = EntraConnection.objects.select_for_update().filter(organization=organization).first()
    schedule = schedule_for(organization, SyncKind.USERS)
    before = _snapshot(settings, connection, schedule.interval_seconds // 60)
    for name in AUDITED_SETTINGS:
        if name in cleaned_data:
            setattr(settings, name, cleaned_data[name])
    if filter_verdict is not None:
        settings.filter_check = filter_verdict
    settings.pending_change = {}
    settings.save()
    schedule.interval_seconds = cleaned_data["interval_minutes"] * 60
    switched_on = cleaned_data["enabled"] and not before["enabled"]
    if switched_on:
        # The admin's save is the request: the first automatic run comes one interval later (the page says when),
        # so Sync Now or Preview can go first.
        schedule.next_run_at = timezone.now() + timezone.timedelta(seconds=schedule.interval_seconds)
    schedule.save(update_fields=["interval_seconds", "next_run_at"])
    if connection is not None:
        connection.feature_user_sync = cleaned_data["enabled"]
        connection.feature_group_scope = settings.scope == UserSyncSettings.Scope.GROUPS
        connection.save(update_fields=["feature_user_sync", "feature_group_scope", "updated_at"])
    changes = field_changes(before, _snapshot(settings, connection, cleaned_data["interval_minutes"]))
    if changes:
        audit_record(organization=organization, actor=actor, action="entra.user_sync_changed",
                     target="User Synchronization", changes=changes)
        realtime_refresh_request(organization)  # the switch or the groups decide what is subscribed to
    return settings


def automatic_sync_sentence(organization, *, enabled: bool) -> str:
    """When automatic runs happen, as the page and the save message say it: what the dispatcher will do, so a
    quarantine that has ended, paused syncs and the safety-net interval of change notifications are said as they are."""
    if not enabled:
        return ("Automatic sync is off: nothing runs on its own. Sync Now runs once with the saved settings; switch "
                "on automatic sync and save to run every few minutes.")
    schedule = schedule_for(organization, SyncKind.USERS)
    now = timezone.now()
    every = f"every {schedule.interval_seconds // 60} min"
    if schedule.effective_interval_seconds > schedule.interval_seconds:
        every = (f"changes arrive by change notifications; a safety-net run every "
                 f"{schedule.effective_interval_seconds // 60} min")
    if EntraConnection.objects.filter(organization=organization, syncs_paused=True).exists():
        return (f"Automatic sync is on ({every}) but paused: Microsoft Entra rejected the credential. Save a working "
                "credential on the Connection tab to resume.")
    if schedule.quarantined_at(now):
        return f"Automatic sync is on ({every}) but on hold until {local_text(schedule.quarantined_until)}."
    first = not SyncRun.objects.filter(organization=organization, kind=SyncKind.USERS,
                                       trigger__in=AUTOMATIC_TRIGGERS).exists()
    which = "The first automatic run" if first else "The next automatic run"
    when = schedule.next_run_at
    if when is None or when <= now:
        return f"Automatic sync is on ({every}). {which} starts within a minute."
    return f"Automatic sync is on ({every}). {which} starts at {local_text(when, '%H:%M')}."


def sync_now(*, organization, actor, dry_run: bool = False) -> tuple[SyncRun, bool]:
    """Start a run now (or return the running one). An admin's Sync Now also ends a quarantine."""
    if not dry_run:
        quarantine_lift(schedule_for(organization, SyncKind.USERS))
    run, created = run_request(organization=organization, kind=SyncKind.USERS,
                               trigger=SyncRun.Trigger.PREVIEW if dry_run else SyncRun.Trigger.MANUAL,
                               actor=actor, dry_run=dry_run, full=dry_run)
    if created:
        audit_record(organization=organization, actor=actor,
                     action="sync.preview_started" if dry_run else "sync.started", target=f"Sync run {run.pk}")
    return run, created


def sync_single_user_start(*, organization, actor, user: str) -> tuple[SyncRun, bool]:
    return run_request(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.SINGLE_USER,
                       actor=actor, options={"user": user})


def groups_refresh_request(organization) -> None:
    settings = user_sync_settings_for(organization)
    UserSyncSettings.objects.filter(pk=settings.pk).update(groups_refresh={"status": "pending"})
    jobs.enqueue("sync.refresh_groups", organization.pk)


# -- run in workers ------------------------------------------------------------------------------------------
def groups_refresh(organization) -> dict:
    """Read the tenant's groups into the picker's cache; the outcome is stored for the page to show."""
    connection = EntraConnection.objects.filter(organization=organization).first()
    now = timezone.now()
    seen, rows = [], []
    try:
        if connection is None or not connection.is_configured:
            raise SyncAborted("Microsoft Entra ID is not connected yet.")
        for group in all_groups(graph_client_for(connection)):
            seen.append(group.id)
            rows.append(DirectoryGroup(organization=organization, entra_id=group.id, name=group.display_name[:256],
                                       mail=group.mail[:256], refreshed_at=now))
    except (GraphClientError, SyncAborted) as exc:
        outcome = {"status": "error", "message": describe_failure(exc, connection, "Reading the group list"),
                   "at": now.isoformat()}
        UserSyncSettings.objects.filter(organization=organization).update(groups_refresh=outcome)
        return outcome
    with transaction.atomic():
        DirectoryGroup.objects.filter(organization=organization).exclude(entra_id__in=seen).delete()
        DirectoryGroup.objects.bulk_create(rows, batch_size=1000, update_conflicts=True,
                                           unique_fields=["organization", "entra_id"],
                                           update_fields=["name", "mail", "refreshed_at"])
    outcome = {"status": "done", "count": len(rows), "at": now.isoformat()}
    UserSyncSettings.objects.filter(organization=organization).update(groups_refresh=outcome)
    return outcome


def filter_check_run(organization, odata_filter: str, preview_only: bool) -> dict:
    """Ask Graph whether the filter is valid, how many users match and the first 20; store the verdict."""
    connection = EntraConnection.objects.get(organization=organization)
    verdict = {"filter": odata_filter, "checked_at": timezone.now().isoformat()}
    try:
        preview = filter_preview(graph_client_for(connection), odata_filter)
        verdict.update(status="valid", advanced=preview.advanced, count=preview.count,
                       sample=[{"id": u.id, "name": u.display_name, "upn": u.user_principal_name}
                               for u in preview.sample])
    except GraphError as exc:
        if exc.status == 400:
            verdict.update(status="invalid", message=f"Microsoft Graph refused the filter: {exc.message}")
        else:
            verdict.update(status="error", message=describe_failure(exc, connection, "Checking the filter"))
    except (GraphClientError, SyncAborted) as exc:
        verdict.update(status="error", message=describe_failure(exc, connection, "Checking the filter"))
    settings = user_sync_settings_for(organization)
    if preview_only:
        UserSyncSettings.objects.filter(pk=settings.pk).update(filter_preview=verdict)
    else:
        # Only record the verdict for the filter that is still the saved one.
        UserSyncSettings.objects.filter(pk=settings.pk, custom_filter=odata_filter).update(filter_check=verdict)
    return verdict


def filter_preview_request(*, organization, odata_filter: str) -> None:
    settings = user_sync_settings_for(organization)
    UserSyncSettings.objects.filter(pk=settings.pk).update(
        filter_preview={"status": "pending", "filter": odata_filter})
    jobs.enqueue("sync.check_filter", organization.pk, odata_filter, True)
