"""Numbering preview: before saving, the first users in scope with the number they would get, or why not.

The page posts the form's unsaved values; a worker reads the first users from Graph and plans each with the same
functions a run uses (directory_user, verdict_for, plan_user, the run's number book). Nothing is written: the
settings used are an unsaved copy, and the answer is kept in the cache for the page to poll.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator

from django.core.cache import cache
from django.utils import timezone

from extensions.models import Extension
from integrations.connection_client import graph_client_for
from integrations.graph import GraphClientError
from integrations.graph import groups as graph_groups
from integrations.graph import users as graph_users
from integrations.graph.users import GraphUser
from integrations.models import EntraConnection
from integrations.sync.failures import SyncAborted, describe_failure
from integrations.sync.users.engine import number_book
from integrations.sync.users.mapping import directory_user
from integrations.sync.users.models import UserSyncSettings
from integrations.sync.users.planner import CONFLICT, CONFLICTED, DISABLE, ROW_FIELDS, SKIP, NumberPolicy, plan_user
from integrations.sync.users.scope import verdict_for
from pbx_portal import jobs

SAMPLE_SIZE = 20
ATTRIBUTE_PREFIX = "Cannot take the extension number from Entra: "
CACHE_SECONDS = 3600
# The form fields the preview uses (everything else on the form is irrelevant to it).
FIELDS = ("scope", "include_guests", "disabled_accounts", "custom_filter", "groups", "numbering", "range_start",
          "range_end", "reserved_numbers", "number_attribute", "number_rule", "number_digits")


def _key(organization_id: int) -> str:
    return f"numbering-preview:{organization_id}"


def numbering_preview_request(*, organization, cleaned_data: dict) -> str:
    """Web: queue a preview of these (unsaved) values; returns its id. Nothing is saved."""
    preview_id = uuid.uuid4().hex
    values = {name: cleaned_data.get(name) for name in FIELDS}
    cache.set(_key(organization.pk), {"status": "pending", "id": preview_id}, CACHE_SECONDS)
    jobs.enqueue("sync.numbering_preview", organization.pk, preview_id, values)
    return preview_id


def numbering_preview_result(organization) -> dict:
    return cache.get(_key(organization.pk)) or {"status": "none"}


def _unsaved_settings(organization, values: dict) -> UserSyncSettings:
    saved, _ = UserSyncSettings.objects.get_or_create(organization=organization)
    settings = copy.copy(saved)  # never saved: the preview only reads it
    for name, value in values.items():
        if value is not None:
            setattr(settings, name, value)
    return settings


def _validated_filter(settings: UserSyncSettings, saved: UserSyncSettings) -> dict | None:
    """Graph's verdict on the typed filter (from Save or from its Preview), when Graph accepted it."""
    for check in (saved.filter_check or {}, saved.filter_preview or {}):
        if check.get("status") == "valid" and check.get("filter") == settings.custom_filter:
            return check
    return None


def _users_in_scope(client, settings: UserSyncSettings, saved: UserSyncSettings) -> Iterator[GraphUser]:
    if settings.scope == UserSyncSettings.Scope.GROUPS:
        if not settings.groups:
            raise SyncAborted("Choose at least one group for the Specific Groups scope, then preview again.")
        for group in settings.groups:
            for page in graph_groups.member_pages(client, group["id"]):
                yield from page
    elif settings.scope == UserSyncSettings.Scope.FILTER:
        check = _validated_filter(settings, saved)
        if check is None:
            raise SyncAborted("The custom filter has not been accepted by Microsoft Graph yet: use Preview under "
                              "the filter first, then preview the numbers.")
        for page in graph_users.filtered_user_pages(client, settings.custom_filter, bool(check.get("advanced"))):
            yield from page
    else:
        for page in graph_users.user_pages(client):
            yield from page


def _line(user, verdict, row, action) -> dict:
    """One user's line: the number they would get (or keep), or why they get none."""
    number, reason = "", ""
    if action is None:
        number = row["number"] if row else ""
        reason = "Keeps their extension" if row else ""
    elif action.kind == CONFLICT:
        reason = action.reason
    elif action.kind == SKIP:
        number, reason = action.number, action.reason
    elif action.kind == DISABLE and not verdict.provisioned:
        reason = verdict.reason
    else:
        number = action.number
        if action.values.get("sync_state") == CONFLICTED:
            reason = action.values.get("sync_message", "")
    # The column already says "why not": the attribute's problem itself (it starts with the attribute's name).
    reason = reason.removeprefix(ATTRIBUTE_PREFIX)
    return {"name": user.fields["display_name"], "upn": user.upn, "number": number, "reason": reason}


def numbering_preview_run(organization, preview_id: str, values: dict) -> dict:
    """Worker: read the first users in scope and plan their numbers with the unsaved values. Writes nothing but
    the answer (in the cache)."""
    saved, _ = UserSyncSettings.objects.get_or_create(organization=organization)
    settings = _unsaved_settings(organization, values)
    connection = EntraConnection.objects.filter(organization=organization).first()
    answer = {"status": "done", "id": preview_id, "checked_at": timezone.now().isoformat(),
              "attribute": settings.number_attribute if settings.numbering == "attribute" else "", "users": []}
    try:
        if connection is None or not connection.is_configured:
            raise SyncAborted("Microsoft Entra ID is not connected yet.")
        policy = NumberPolicy(settings.numbering, settings.number_attribute, settings.number_rule,
                              settings.number_digits)
        book = number_book(organization, settings)
        now, seen, skipped, lines = timezone.now(), set(), 0, []
        for graph_user in _users_in_scope(graph_client_for(connection), settings, saved):
            if graph_user.id in seen:
                continue
            seen.add(graph_user.id)
            user = directory_user(graph_user, organization.default_region)
            verdict = verdict_for(user, settings)
            if not verdict.provisioned:
                skipped += 1
                continue
            row = Extension.objects.filter(organization=organization, entra_object_id=user.object_id) \
                .values(*ROW_FIELDS).first()
            line = _line(user, verdict, row, plan_user(user, verdict, row, book, policy, now))
            line["value"] = graph_user.number_source(settings.number_attribute) if answer["attribute"] else ""
            lines.append(line)
            if len(lines) >= SAMPLE_SIZE:
                break
    except (GraphClientError, SyncAborted) as exc:
        answer = {"status": "error", "id": preview_id,
                  "message": describe_failure(exc, connection, "Reading users for the numbering preview")}
    else:
        without = sum(1 for line in lines if not line["number"])
        answer.update(users=lines, skipped=skipped, without_number=without,
                      warning=_warning(without, len(lines), settings))
    current = cache.get(_key(organization.pk)) or {}
    if current.get("id") in (None, preview_id):  # a newer preview's answer is not overwritten by an older one
        cache.set(_key(organization.pk), answer, CACHE_SECONDS)
    return answer


def _warning(without: int, total: int, settings: UserSyncSettings) -> str:
    if not total or without * 2 <= total:
        return ""
    if settings.numbering == "attribute":
        return (f"{without} of these {total} users would get no extension number: check that "
                f"{settings.number_attribute} holds their number in Entra, or the rule and digits.")
    return (f"{without} of these {total} users would get no extension number: the range "
            f"{settings.range_start}-{settings.range_end} has too few free numbers.")
