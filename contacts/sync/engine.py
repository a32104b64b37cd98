"""The contacts sync executor: scope, folder discovery, then per-folder delta rounds sent in $batch requests.

A quiet cycle costs one delta sub-request per folder, 20 to a $batch (at most 4 per mailbox, Outlook's
concurrency limit). A folder whose delta token expired is read again from scratch, alone. A mailbox that
answers 403/404 is reported on its own row and in the log; the others go on and the run succeeds.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from contacts.models import ContactSettings, FolderSyncState, MailboxSyncState
from contacts.sync.apply import apply_page, delete_folder_contacts, delete_unseen, existing_fingerprints
from contacts.sync.folders import mailbox_folders
from contacts.sync.plan import page_source_ids, plan_page
from contacts.sync.scope import cursor_key, forget_cursors, sync_mailbox_states
from integrations.graph.contacts import (
    BATCH_SIZE,
    PAGE_SIZE,
    PER_MAILBOX,
    READ_PERMISSIONS,
    MailboxAnswer,
    folder_delta_url,
    run_batch,
)
from integrations.sync.failures import MissingPermission
from integrations.sync.models import DeltaCursor, SyncEvent, SyncKind

logger = logging.getLogger(__name__)
Action = SyncEvent.Action
Status = MailboxSyncState.Status


@dataclass
class FolderRound:
    mailbox: MailboxSyncState
    folder: FolderSyncState
    url: str
    full: bool
    seen: set[str] = field(default_factory=set)
    restarted: bool = False
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def key(self) -> str:
        return cursor_key(self.mailbox.mailbox_id, self.folder.folder_id)

    @property
    def label(self) -> str:
        return f"{self.mailbox} / {self.folder}"[:300]


def execute(ctx) -> None:
    settings = ContactSettings.objects.filter(organization=ctx.organization).first()
    if settings is None or not settings.any_enabled:
        ctx.event(Action.INFO, reason="Both contact synchronizations are switched off: nothing to do.")
        return
    _require_permission(ctx)
    mailboxes, removed, gone = sync_mailbox_states(ctx.organization, settings)
    only = set((ctx.run.options or {}).get("mailboxes") or ())  # a change notification names its mailbox
    if only:
        mailboxes = [mailbox for mailbox in mailboxes if mailbox.mailbox_id in only]
    for name in gone:
        ctx.event(Action.DELETED, subject=name, reason="Mailbox left the sync scope; its contacts were removed.")
    ctx.add(mailboxes=len(mailboxes), folders=0, contacts_created=0, contacts_updated=0, contacts_deleted=removed,
            mailboxes_failed=0)
    ctx.flush("Reading contact folders")
    failed: dict[int, MailboxAnswer] = {}

    def on_failure(mailbox: MailboxSyncState, answer: MailboxAnswer) -> None:
        if mailbox.pk not in failed:
            failed[mailbox.pk] = answer
            _report_mailbox(ctx, mailbox, answer)

    folders = mailbox_folders(ctx, mailboxes, on_failure=on_failure)
    cursors = {} if ctx.run.full else dict(
        DeltaCursor.objects.filter(organization=ctx.organization, kind=SyncKind.CONTACTS)
        .values_list("key", "delta_link"))
    rounds = []
    for mailbox in mailboxes:
        for folder in folders.get(mailbox.pk, []):
            link = cursors.get(cursor_key(mailbox.mailbox_id, folder.folder_id))
            rounds.append(FolderRound(mailbox, folder, link or folder_delta_url(mailbox.mailbox_id, folder.folder_id),
                                      full=link is None))
    ctx.add(folders=len(rounds))
    ctx.flush("Reading contacts")
    _run_rounds(ctx, rounds, failed, on_failure)
    _finish_mailboxes(mailboxes, failed)
    ctx.flush("Done")


def _require_permission(ctx) -> None:
    token = ctx.client.acquire_app_token()
    if not set(token.roles) & set(READ_PERMISSIONS) and token.token_source == "cache":
        ctx.client.clear_token_cache()  # consent may have been granted since this token was issued
        token = ctx.client.acquire_app_token()
    if not set(token.roles) & set(READ_PERMISSIONS):
        raise MissingPermission("Contacts.Read", "Reading Outlook contacts")


def _report_mailbox(ctx, mailbox: MailboxSyncState, answer: MailboxAnswer) -> None:
    if answer.denied:
        status, advice = Status.DENIED, ("Exchange refused access to this mailbox (an application access policy may "
                                         "exclude it). Other mailboxes were synced.")
    elif answer.no_mailbox:
        status, advice = Status.NO_MAILBOX, ("This user has no Exchange Online mailbox (no license, or the mailbox "
                                             "is inactive or on-premises). Other mailboxes were synced.")
    else:
        status, advice = Status.ERROR, "Microsoft Graph answered with an error; the next cycle retries."
    message = f"{advice} ({answer.message})"
    MailboxSyncState.objects.filter(pk=mailbox.pk).update(status=status, last_error=message[:2000])
    mailbox.status, mailbox.last_error = status, message
    ctx.event(Action.ERROR, subject_id=mailbox.mailbox_id[:64], subject=str(mailbox), reason=message)
    ctx.add(mailboxes_failed=1)
    logger.info("Contacts sync org %s: mailbox %s answered %s", ctx.organization.pk, mailbox.mailbox_id,
                answer.status)


def _take_chunk(queue: deque, failed: dict) -> list[FolderRound]:
    chunk, per_mailbox, kept = [], {}, deque()
    while queue and len(chunk) < BATCH_SIZE:
        item = queue.popleft()
        if item.mailbox.pk in failed:
            continue
        if per_mailbox.get(item.mailbox.pk, 0) >= PER_MAILBOX:
            kept.append(item)
            continue
        per_mailbox[item.mailbox.pk] = per_mailbox.get(item.mailbox.pk, 0) + 1
        chunk.append(item)
    queue.extendleft(reversed(kept))
    return chunk


def _run_rounds(ctx, rounds: list[FolderRound], failed: dict, on_failure) -> None:
    region = ctx.organization.default_region
    queue = deque(rounds)
    done = 0
    while queue:
        chunk = _take_chunk(queue, failed)
        if not chunk:
            break
        answers = run_batch(ctx.client, [(r.mailbox.mailbox_id, r.url) for r in chunk], page_size=PAGE_SIZE)
        continuing, finished = [], []
        with transaction.atomic():
            for item, answer in zip(chunk, answers, strict=True):
                outcome = _handle(ctx, item, answer, region, on_failure)
                if outcome == "more":
                    continuing.append(item)
                elif outcome == "done":
                    finished.append(item)
            _store_finished(ctx, finished)
        queue.extendleft(reversed(continuing))  # finish started folders first: bounded memory for `seen`
        done += len(finished)
        ctx.flush(f"Reading contacts: {done} of {len(rounds)} folders")


def _handle(ctx, item: FolderRound, answer: MailboxAnswer, region: str, on_failure) -> str:
    if answer.ok:
        changes = answer.contact_changes()
        existing = existing_fingerprints(item.mailbox, item.folder.folder_id, page_source_ids(changes))
        plan = plan_page(changes, existing, region)
        created, updated, deleted = apply_page(item.mailbox, item.folder.folder_id, plan)
        item.created, item.updated, item.deleted = item.created + created, item.updated + updated, \
            item.deleted + deleted
        ctx.add(contacts_created=created, contacts_updated=updated, contacts_deleted=deleted)
        if item.full:
            item.seen.update(plan.seen)
        if answer.next_link:
            item.url = answer.next_link
            return "more"
        if not answer.delta_link:
            item.folder.last_error = "Graph ended a delta round without a deltaLink; the next cycle retries."
            return "error"
        if item.full:
            gone = delete_unseen(item.mailbox, item.folder.folder_id, item.seen)
            item.deleted += gone
            ctx.add(contacts_deleted=gone)
        item.url = answer.delta_link
        return "done"
    if answer.delta_expired and not item.restarted:
        ctx.event(Action.INFO, subject_id=item.mailbox.mailbox_id[:64], subject=item.label,
                  reason="The folder's delta token expired: this folder is read again in full.")
        ctx.add(folders_resynced=1)
        item.url = folder_delta_url(item.mailbox.mailbox_id, item.folder.folder_id)
        item.full, item.restarted, item.seen = True, True, set()
        return "more"
    if answer.folder_gone:
        removed = delete_folder_contacts(item.mailbox, [item.folder.folder_id])
        forget_cursors(ctx.organization.pk, [item.key])
        FolderSyncState.objects.filter(pk=item.folder.pk).delete()
        ctx.add(contacts_deleted=removed)
        ctx.event(Action.DELETED, subject_id=item.mailbox.mailbox_id[:64], subject=item.label,
                  reason=f"The folder no longer exists; its {removed} contact(s) were removed.")
        return "gone"
    on_failure(item.mailbox, answer)
    return "failed"


def _store_finished(ctx, finished: list[FolderRound]) -> None:
    if not finished:
        return
    now = timezone.now()
    DeltaCursor.objects.bulk_create(
        [DeltaCursor(organization=ctx.organization, kind=SyncKind.CONTACTS, key=item.key, delta_link=item.url)
         for item in finished],
        update_conflicts=True, unique_fields=["organization", "kind", "key"], update_fields=["delta_link",
                                                                                            "updated_at"])
    for item in finished:
        folder = item.folder
        folder.contact_count = len(item.seen) if item.full else max(
            0, folder.contact_count + item.created - item.deleted)
        folder.last_synced_at, folder.last_error = now, ""
        if item.created or item.updated or item.deleted:
            ctx.event(Action.UPDATED, subject_id=item.mailbox.mailbox_id[:64], subject=item.label,
                      after={"created": item.created, "updated": item.updated, "deleted": item.deleted},
                      reason="Full read of the folder." if item.full else "Changes since the last cycle.")
    FolderSyncState.objects.bulk_update([item.folder for item in finished],
                                        ["contact_count", "last_synced_at", "last_error"], batch_size=500)


def _finish_mailboxes(mailboxes: list[MailboxSyncState], failed: dict) -> None:
    now = timezone.now()
    totals = {row["mailbox"]: row for row in FolderSyncState.objects.filter(mailbox__in=mailboxes)
              .values("mailbox").annotate(contacts=Sum("contact_count"), folders=Count("id"))}
    ok = []
    for mailbox in mailboxes:
        if mailbox.pk in failed:
            continue
        row = totals.get(mailbox.pk, {})
        mailbox.status, mailbox.last_error, mailbox.last_synced_at = Status.OK, "", now
        mailbox.contact_count, mailbox.folder_count = row.get("contacts") or 0, row.get("folders") or 0
        ok.append(mailbox)
    MailboxSyncState.objects.bulk_update(ok, ["status", "last_error", "last_synced_at", "contact_count",
                                              "folder_count"], batch_size=500)
