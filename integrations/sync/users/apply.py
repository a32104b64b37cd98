"""Actions -> database writes, set-based: a constant number of queries per page, whatever its size."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import IntegrityError, transaction

from extensions.models import Extension, RetainedNumber
from integrations.sync.bulk import insert_rows
from integrations.sync.users.mapping import MAPPED_FIELDS
from integrations.sync.users.planner import CONFLICT, CREATE, DELETE, Action

logger = logging.getLogger(__name__)


def apply_actions(organization, actions: list[Action], now) -> list[Action]:
    """Write the actions in one transaction. Returns the actions that could not be applied (as conflicts)."""
    failed: list[Action] = []
    creates = [a for a in actions if a.kind == CREATE]
    deletes = [a for a in actions if a.kind == DELETE]
    updates = [a for a in actions if a.row_id and a.values and a.kind != DELETE]
    with transaction.atomic():
        if creates:
            failed.extend(_create(organization, creates, now))
        if updates:
            _update(updates, now)
        if deletes:
            _delete(organization, deletes)
    return failed


def touch(row_ids: list[int], now) -> None:
    """Mark unchanged rows as confirmed by this (full) sync."""
    if row_ids:
        Extension.objects.filter(pk__in=row_ids).update(last_synced_at=now)


CREATE_COLUMNS = ["organization", "source", "entra_object_id", "number", "status", "sync_state", "sync_message",
                  "removed_at", "last_synced_at", "created_at", "updated_at", *MAPPED_FIELDS]


def _create_row(organization, action: Action, now) -> tuple:
    values = action.values
    return (organization.pk, Extension.Source.ENTRA, action.object_id, values["number"], values["status"],
            values["sync_state"], values["sync_message"], None, now, now, now,
            *(values[name] for name in MAPPED_FIELDS))


def _create(organization, creates: list[Action], now) -> list[Action]:
    rows = [_create_row(organization, a, now) for a in creates]
    try:
        with transaction.atomic():
            insert_rows(Extension, [c if c != "organization" else "organization_id" for c in CREATE_COLUMNS], rows)
        return []
    except IntegrityError:
        logger.info("Bulk insert of %d extensions collided (a number taken meanwhile): inserting one by one",
                    len(rows))
    failed = []
    for action in creates:
        row = Extension(organization=organization, source=Extension.Source.ENTRA, entra_object_id=action.object_id,
                        last_synced_at=now, **action.values)
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            action.kind, action.values = CONFLICT, {}
            action.reason = f"Extension {action.number} was taken by another change during the sync"
            failed.append(action)
    return failed


def _update(updates: list[Action], now) -> None:
    by_columns: dict[frozenset, list[Extension]] = defaultdict(list)
    for action in updates:
        values = {**action.values, "last_synced_at": now, "updated_at": now}
        by_columns[frozenset(values)].append(Extension(pk=action.row_id, **values))
    for columns, rows in by_columns.items():
        Extension.objects.bulk_update(rows, sorted(columns), batch_size=500)


def _delete(organization, deletes: list[Action]) -> None:
    RetainedNumber.objects.bulk_create(
        [RetainedNumber(organization=organization, entra_object_id=a.object_id, number=a.number,
                        holder_name=a.subject[:300]) for a in deletes],
        ignore_conflicts=True)
    Extension.objects.filter(organization=organization, pk__in=[a.row_id for a in deletes]).delete()
