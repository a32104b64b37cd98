"""Folder discovery: a mailbox's default contact folder and its subfolders (any depth up to MAX_DEPTH).

Run on a mailbox's first sync, on --full, after an error, and every FOLDER_REFRESH otherwise, so a quiet
cycle costs only the per-folder delta requests. Shared mailboxes with chosen folders are not discovered.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from contacts.models import FolderSyncState, MailboxSyncState, SharedMailbox
from contacts.sync.scope import set_folders
from integrations.graph.contacts import (
    DEFAULT_FOLDER,
    ContactFolder,
    MailboxAnswer,
    child_folders_url,
    default_folder_probe_url,
    folders_url,
    more_folders,
    run_batch,
)

FOLDER_REFRESH = timedelta(hours=24)
MAX_DEPTH = 5
DEFAULT_FOLDER_NAME = "Contacts"


def _needs_discovery(mailbox: MailboxSyncState, full: bool, now) -> bool:
    return (full or mailbox.folders_checked_at is None or mailbox.folders_checked_at < now - FOLDER_REFRESH
            or mailbox.status != MailboxSyncState.Status.OK)


def _all_folders(client, answer: MailboxAnswer) -> list[ContactFolder]:
    folders = answer.folders()
    if answer.next_link:  # more than 100 folders at one level: rare, read the rest one page at a time
        folders += more_folders(client, answer.next_link)
    return folders


def mailbox_folders(ctx, mailboxes: list[MailboxSyncState], *, on_failure) -> dict[int, list[FolderSyncState]]:
    """Folder rows of every reachable mailbox (pk -> folders). `on_failure(mailbox, MailboxAnswer)` for the rest."""
    now = timezone.now()
    current: dict[int, list[FolderSyncState]] = {m.pk: [] for m in mailboxes}
    for folder in FolderSyncState.objects.filter(mailbox__in=mailboxes):
        current[folder.mailbox_id].append(folder)
    chosen = {m.mailbox_id: m for m in SharedMailbox.objects.filter(organization=ctx.organization, all_folders=False)}
    result: dict[int, list[FolderSyncState]] = {}
    discover: list[MailboxSyncState] = []
    removed = 0
    for mailbox in mailboxes:
        picked = chosen.get(mailbox.mailbox_id) if mailbox.kind == MailboxSyncState.Kind.SHARED else None
        if picked is not None:
            folders = [(str(f["id"]), str(f.get("name") or "")) for f in picked.folders if f.get("id")]
            result[mailbox.pk], gone = set_folders(mailbox, folders, current[mailbox.pk])
            removed += gone
        elif _needs_discovery(mailbox, ctx.run.full, now):
            discover.append(mailbox)
        else:
            result[mailbox.pk] = current[mailbox.pk]
    found = _discover(ctx, discover, on_failure)
    checked = []
    for mailbox in discover:
        if mailbox.pk in found:
            result[mailbox.pk], gone = set_folders(mailbox, found[mailbox.pk], current[mailbox.pk])
            removed += gone
            mailbox.folders_checked_at = now
            checked.append(mailbox)
    MailboxSyncState.objects.bulk_update(checked, ["folders_checked_at"], batch_size=500)
    if removed:
        ctx.add(contacts_deleted=removed)
    return result


def _discover(ctx, mailboxes: list[MailboxSyncState], on_failure) -> dict[int, list[tuple[str, str]]]:
    if not mailboxes:
        return {}
    requests_ = []
    for mailbox in mailboxes:
        requests_ += [(mailbox.mailbox_id, folders_url(mailbox.mailbox_id)),
                      (mailbox.mailbox_id, default_folder_probe_url(mailbox.mailbox_id))]
    answers = run_batch(ctx.client, requests_)
    found: dict[int, list[tuple[str, str]]] = {}
    frontier: list[tuple[MailboxSyncState, str]] = []
    for index, mailbox in enumerate(mailboxes):
        top, probe = answers[2 * index], answers[2 * index + 1]
        failed = next((a for a in (top, probe) if not a.ok), None)
        if failed is not None:
            on_failure(mailbox, failed)
            continue
        subfolders = _all_folders(ctx.client, top)
        default_id = next((f.parent_id for f in subfolders if f.parent_id), None) or probe.parent_folder_id()
        found[mailbox.pk] = [(default_id or DEFAULT_FOLDER, DEFAULT_FOLDER_NAME)]
        for folder in subfolders:
            found[mailbox.pk].append((folder.id, folder.name))
            frontier.append((mailbox, folder.id))
    depth = 1
    while frontier and depth < MAX_DEPTH:
        answers = run_batch(ctx.client, [(m.mailbox_id, child_folders_url(m.mailbox_id, f)) for m, f in frontier])
        next_frontier = []
        for (mailbox, _parent), answer in zip(frontier, answers, strict=True):
            if not answer.ok or mailbox.pk not in found:
                continue  # a subfolder that vanished meanwhile: the next discovery sees the truth
            for folder in _all_folders(ctx.client, answer):
                found[mailbox.pk].append((folder.id, folder.name))
                next_frontier.append((mailbox, folder.id))
        frontier, depth = next_frontier, depth + 1
    return found
