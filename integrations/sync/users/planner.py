"""Directory users + current extensions + settings -> actions with reasons. Pure: no database, no HTTP.

One action per user at most. Removals (disable, delete) are only planned here; the engine applies them after the
whole read succeeded and the deletion threshold allows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from extensions.numbering import NumberBook, number_from_attribute
from integrations.graph.users import NUMBER_SOURCES
from integrations.sync.users.mapping import MAPPED_FIELDS, DirectoryUser
from integrations.sync.users.scope import KEEP_DISABLED, Verdict

CREATE, UPDATE, RESTORE, DISABLE, DELETE, CONFLICT, SKIP = (
    "created", "updated", "restored", "disabled", "deleted", "conflict", "skipped")
# Only the extension's sync bookkeeping changes (a number problem noted or cleared): written, but no field of the
# extension changed, so the run counts the user as unchanged and the log records no update.
BOOKKEEPING = "bookkeeping"
REMOVALS = (DISABLE, DELETE)
ACTIVE, DISABLED = "active", "disabled"
SYNCED, CONFLICTED, REMOVED = "synced", "conflict", "removed"
# Row columns the planner reads (Extension.values(...)).
ROW_FIELDS = ("id", "entra_object_id", "number", "status", "source", "sync_state", "sync_message", "removed_at",
              *MAPPED_FIELDS)


@dataclass(slots=True)
class Action:
    kind: str
    object_id: str
    subject: str
    number: str = ""
    row_id: int | None = None
    values: dict = field(default_factory=dict)  # columns to write
    before: dict | None = None
    after: dict | None = None
    reason: str = ""
    signature: str = ""  # removals: what the user looked like, so a rejected removal is not planned again


@dataclass(frozen=True, slots=True)
class NumberPolicy:
    mode: str  # "auto" or "attribute"
    attribute: str = NUMBER_SOURCES[0]
    rule: str = "last_digits"
    digits: int = 4


def _holder_label(book: NumberBook, number: str, labels: dict[str, str]) -> str:
    holder = book.holder(number) or ""
    labels = labels or book.labels
    return labels.get(holder, holder.removeprefix("manual:") or "another extension")


def _desired_number(user: DirectoryUser, row: dict | None, book: NumberBook, policy: NumberPolicy,
                    labels: dict[str, str]) -> tuple[str | None, str | None]:
    """(number, None), or (None or the kept number, the conflict reason)."""
    oid = user.object_id
    current = row["number"] if row else None
    if policy.mode == "attribute":
        number, problem = number_from_attribute(user.source.number_source(policy.attribute), policy.attribute,
                                                policy.rule, policy.digits)
        if problem:
            return current, f"Cannot take the extension number from Entra: {problem}"
        if number == current:
            return number, None
        if not book.free_for(number, oid):
            return current, f"Extension {number} is already assigned to {_holder_label(book, number, labels)}"
        if book.is_reserved(number):
            return current, f"Extension {number} is a reserved number"
        return number, None
    if current:
        return current, None
    number = book.next_free(oid)
    if number is None:
        return None, f"No free extension number left in the range {book.range_start}-{book.range_end}"
    return number, None


def plan_user(user: DirectoryUser, verdict: Verdict, row: dict | None, book: NumberBook, policy: NumberPolicy,
              now: datetime, labels: dict[str, str] | None = None) -> Action | None:
    labels = labels or {}
    oid, subject = user.object_id, user.label
    if not verdict.provisioned:
        if row and row["source"] == "entra" and row["sync_state"] != REMOVED:
            return removal(row, subject, verdict.reason, now)
        return None
    if row and row["source"] != "entra":
        return Action(SKIP, oid, subject, row["number"], reason=(
            f"Manual extension {row['number']} is linked to this user; sync leaves manual extensions alone"))
    number, conflict = _desired_number(user, row, book, policy, labels)
    status = DISABLED if verdict.state == KEEP_DISABLED else ACTIVE
    message = conflict or (verdict.reason if verdict.state == KEEP_DISABLED else "")
    wanted = {**user.fields, "status": status, "sync_state": CONFLICTED if conflict else SYNCED,
              "sync_message": message[:300], "removed_at": None}
    if row is None:
        if number is None:
            return Action(CONFLICT, oid, subject, reason=conflict or "")
        book.take(number, oid)
        book.labels.setdefault(f"user:{oid}", user.fields["display_name"])  # named in a later duplicate's reason
        after = {name: value for name, value in user.fields.items() if value}
        return Action(CREATE, oid, subject, number, values={**wanted, "number": number},
                      after={"number": number, "status": status, **after}, reason=message or "In scope")
    if number and number != row["number"]:
        book.release(row["number"])
        book.take(number, oid)
        book.labels.setdefault(f"user:{oid}", user.fields["display_name"])
        wanted["number"] = number
    changes = {name: value for name, value in wanted.items() if row.get(name) != value}
    visible = {name: value for name, value in changes.items() if name in MAPPED_FIELDS or name in ("number", "status")}
    before = {name: row.get(name) for name in visible}
    number = wanted.get("number", row["number"])
    if row["sync_state"] == REMOVED or (row["status"] == DISABLED and status == ACTIVE):
        reason = "Back in scope: restored with the same number" if row["sync_state"] == REMOVED else \
            "Account enabled again in Entra"
        return Action(RESTORE, oid, subject, number, row["id"], changes, before, visible, reason)
    if not changes:
        return None
    if "status" in visible and status == DISABLED:
        return Action(DISABLE, oid, subject, number, row["id"], changes, before, visible, message)
    if not visible:  # a number problem noted or cleared: the extension itself did not change
        return Action(BOOKKEEPING, oid, subject, number, row["id"], changes, reason=conflict or "")
    # A user who keeps their number is never a conflict: the change is applied, the number problem shown beside it.
    reason = f"Changed in Entra; the number stays {number}: {conflict}" if conflict else "Changed in Entra"
    return Action(UPDATE, oid, subject, number, row["id"], changes, before, visible, reason)


def removal(row: dict, subject: str, reason: str, now: datetime) -> Action:
    return Action(DISABLE, str(row["entra_object_id"]), subject, row["number"], row["id"],
                  {"status": DISABLED, "sync_state": REMOVED, "sync_message": reason[:300], "removed_at": now},
                  {"status": row["status"]}, {"status": DISABLED}, reason)


def deletion(row: dict, subject: str, grace_days: int) -> Action:
    return Action(DELETE, str(row["entra_object_id"]), subject, row["number"], row["id"],
                  before={"number": row["number"], "status": row["status"]},
                  reason=f"Removed from scope more than {grace_days} days ago (grace period over)")
