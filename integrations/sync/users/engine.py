"""One user-sync run: full or incremental read, planning page by page, removals last and only when safe.

Safety rules, in order of importance:
- A failed, partial or throttled read never removes anything: removals are collected during the read and applied
  only after every page was read, and only within the deletion threshold (else the run needs approval).
- The delta link is stored only after the changes it covers are committed; an expired one means a full resync.
- Every page is committed whole, so a worker killed between pages leaves consistent data for the next run.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.utils import timezone

from extensions.models import Extension, RetainedNumber
from extensions.numbering import LazyNumberBook, NumberBook, parse_reserved
from integrations.graph import DeltaTokenExpired, GraphError, NotFound
from integrations.graph import groups as graph_groups
from integrations.graph import users as graph_users
from integrations.graph.organization import read_tenant
from integrations.graph.users import GraphUser, RemovedUser
from integrations.models import EntraConnection
from integrations.sync.failures import SyncAborted
from integrations.sync.models import DeltaCursor, SyncEvent, SyncKind, SyncRun
from integrations.sync.prefetch import read_ahead
from integrations.sync.users.apply import apply_actions, touch
from integrations.sync.users.groups_apply import remove_synced_groups, sync_extension_groups
from integrations.sync.users.mapping import directory_user
from integrations.sync.users.models import UserSyncSettings
from integrations.sync.users.planner import (
    BOOKKEEPING,
    CONFLICT,
    CREATE,
    DELETE,
    DISABLE,
    REMOVED,
    ROW_FIELDS,
    SKIP,
    Action,
    NumberPolicy,
    deletion,
    plan_user,
    removal,
)
from integrations.sync.users.rejections import (
    held_signatures_store,
    rejected_signatures,
    rejections_forget,
    user_signature,
)
from integrations.sync.users.scope import verdict_for

logger = logging.getLogger(__name__)

REMOVED_REASONS = {
    "changed": "User deleted in Entra (restorable there for 30 days)",
    "deleted": "User permanently deleted in Entra",
}
NOT_SEEN_REASONS = {
    "all": "Not found among the directory's users any more (deleted in Entra)",
    "groups": "No longer a member of the chosen groups",
    "filter": "No longer matches the custom filter",
}


def user_sync_settings(organization) -> UserSyncSettings:
    settings, _ = UserSyncSettings.objects.get_or_create(organization=organization)
    return settings


def scope_fingerprint(settings: UserSyncSettings) -> str:
    """Settings whose change invalidates what earlier runs decided: a new fingerprint forces a full read."""
    relevant = [settings.scope, settings.include_guests, settings.disabled_accounts, settings.numbering,
                settings.number_attribute, settings.number_rule, settings.number_digits]
    return hashlib.sha256(json.dumps(relevant).encode()).hexdigest()[:16]


USER_COUNTS = ("created", "updated", "disabled", "deleted", "restored", "conflicts")
# Every user a run read has exactly one of these outcomes: read == the sum of these counts.
OUTCOMES = ("created", "updated", "restored", "disabled", "deleted", "conflicts", "unchanged", "out_of_scope")
# The counter an action adds to. A linked manual extension is left alone: unchanged (and listed as skipped).
COUNTER_OF = {CONFLICT: "conflicts", SKIP: "unchanged", BOOKKEEPING: "unchanged", DELETE: "purged"}


def outcomes_total(counts: dict) -> int:
    return sum(int(counts.get(name, 0)) for name in OUTCOMES)


def run_summary_counts(counts: dict) -> dict:
    """A user sync's counts as `sync_users --json` shows them: read = the sum of OUTCOMES; purged (extensions
    deleted because their grace period ended) is outside that sum."""
    summary = {name: int(counts.get(name, 0)) for name in USER_COUNTS}
    summary.update(read=int(counts.get("read", 0)), unchanged=int(counts.get("unchanged", 0)),
                   out_of_scope=int(counts.get("out_of_scope", 0)), purged=int(counts.get("purged", 0)),
                   skipped_users=int(counts.get("skipped", 0)), removals_held=int(counts.get("removals_held", 0)),
                   planned_removals=int(counts.get("planned_removals", 0)))
    return summary


class UserSync:
    def __init__(self, ctx, settings: UserSyncSettings):
        self.ctx = ctx
        self.settings = settings
        self.organization = ctx.organization
        self.region = ctx.organization.default_region
        self.now = timezone.now()
        self.writes = not ctx.run.dry_run
        self.policy = NumberPolicy(settings.numbering, settings.number_attribute, settings.number_rule,
                                   settings.number_digits)
        self.book = LazyNumberBook(self._number_book)
        self.known: set[str] | None = None  # full reads: object ids that have an extension (see _process)
        self.seen: set[str] = set()
        self.removals: list[Action] = []
        self.cursor_key = f"users:{scope_fingerprint(settings)}"
        self.rejected = rejected_signatures(self.organization)  # removals an admin rejected: object id -> signature

    # -- the run ---------------------------------------------------------------------------------------------
    def run(self) -> None:
        scope = self.settings.scope
        if self.ctx.run.full or not self.ctx.connection.verified_domains:
            self._refresh_verified_domains()
        if scope == UserSyncSettings.Scope.GROUPS:
            self._read_groups()
        elif scope == UserSyncSettings.Scope.FILTER:
            self._read_filter()
        else:
            self._read_all_users()

    def _read_all_users(self) -> None:
        cursor = None
        if not (self.ctx.run.full or self.ctx.run.dry_run):
            cursor = DeltaCursor.objects.filter(organization=self.organization, kind=SyncKind.USERS,
                                                key=self.cursor_key).first()
        if cursor is not None:
            try:
                self._incremental(cursor.delta_link)
                return
            except DeltaTokenExpired:
                logger.info("Delta token of organization %s expired: full resync", self.organization.pk)
                self.ctx.event(SyncEvent.Action.INFO, reason="Microsoft Graph no longer accepts the stored delta "
                               "link (it expires after 7 days without use): reading every user again.")
                self.ctx.add(resyncs=1)
                self.seen.clear()
                self.removals.clear()
        self.ctx.run.full = True
        SyncRun.objects.filter(pk=self.ctx.run.pk).update(full=True)
        self.ctx.flush("Taking the delta starting point")
        starting_point = graph_users.delta_starting_point(self.ctx.client)
        if starting_point is None:
            raise SyncAborted("Microsoft Graph gave no delta link for the users' changes. Nothing was removed; the "
                              "next run retries.")
        for page in read_ahead(graph_users.user_pages(self.ctx.client)):
            self._process(page)
        self._sweep_not_seen("all")
        if self._finish(starting_point):
            self._drop_groups_of_an_old_scope()

    def _incremental(self, delta_link: str) -> None:
        self.ctx.flush("Reading changes since the last sync")
        new_link = None
        for page in read_ahead(graph_users.delta_pages(self.ctx.client, delta_link)):
            self._process(page.users, page.removed)
            new_link = page.delta_link or new_link
        if self._finish(new_link):
            self._drop_groups_of_an_old_scope()

    def _read_groups(self) -> None:
        if not self.settings.groups:
            raise SyncAborted("The scope is “Specific groups” but no group is chosen: choose groups under User "
                              "Synchronization. Nothing was removed.")
        self.ctx.run.full = True
        members: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for group in self.settings.groups:
            group_id = group["id"]
            try:
                name = graph_groups.group_name(self.ctx.client, group_id)
            except NotFound as exc:
                raise SyncAborted(
                    f"The group {group_id} chosen in the sync scope no longer exists in Entra. Nothing was removed: "
                    "choose the groups again under User Synchronization.") from exc
            names[group_id] = name or group.get("name") or group_id
            members[group_id] = []
            self.ctx.flush(f"Reading members of {names[group_id]}")
            for page in read_ahead(graph_groups.member_pages(self.ctx.client, group_id)):
                members[group_id].extend(user.id for user in page)
                self._process(page)
        self._sweep_not_seen("groups")
        if self._finish(None) and self.writes:
            sync_extension_groups(self.organization, names, members, self.now)

    def _read_filter(self) -> None:
        check = self.settings.filter_check or {}
        if not self.settings.custom_filter or check.get("status") != "valid" or \
                check.get("filter") != self.settings.custom_filter:
            raise SyncAborted("The custom filter has not been validated by Microsoft Graph yet (or it was refused): "
                              "open User Synchronization and save the filter again. Nothing was removed.")
        self.ctx.run.full = True
        self.ctx.flush("Reading users matching the filter")
        for page in read_ahead(graph_users.filtered_user_pages(self.ctx.client, self.settings.custom_filter,
                                                               bool(check.get("advanced")))):
            self._process(page)
        self._sweep_not_seen("filter")
        if self._finish(None):
            self._drop_groups_of_an_old_scope()

    def _drop_groups_of_an_old_scope(self) -> None:
        if not self.writes:
            return
        names = remove_synced_groups(self.organization)
        if names:
            self.ctx.event(SyncEvent.Action.INFO, reason=(
                f"Extension group{'s' if len(names) != 1 else ''} {', '.join(names)} removed: the scope is no longer "
                "“Specific groups” (the extensions themselves stay)."))

    def _refresh_verified_domains(self) -> None:
        """Full runs re-read the tenant's verified domains (Test Connection and the daily check do too)."""
        try:
            domains = read_tenant(self.ctx.client).verified_domains
        except GraphError as exc:  # not worth failing a user sync over; SSO keeps the domains it had
            logger.info("Could not refresh verified domains for organization %s: %s", self.organization.pk, exc)
            return
        if domains and domains != self.ctx.connection.verified_domains:
            EntraConnection.objects.filter(pk=self.ctx.connection.pk).update(verified_domains=domains)
            self.ctx.connection.verified_domains = domains

    # -- per page --------------------------------------------------------------------------------------------
    def _process(self, users: list[GraphUser], removed: list[RemovedUser] = ()) -> None:
        unique = {user.id: user for user in users}  # a delta page may repeat a user: last wins
        fresh = [oid for oid in unique if oid not in self.seen or not self.ctx.run.full]
        gone = {item.id: item for item in removed}
        # Only users that may have an extension are looked up (a first sync of a page needs no read at all).
        wanted = fresh + [oid for oid in gone if oid not in unique]
        if self.ctx.run.full:
            if self.known is None:
                self.known = {str(oid) for oid in Extension.objects.filter(
                    organization=self.organization, entra_object_id__isnull=False).values_list(
                    "entra_object_id", flat=True).iterator(chunk_size=10000)}
            wanted = [oid for oid in wanted if oid in self.known]
        rows = {}
        if wanted:
            for row in Extension.objects.filter(organization=self.organization,
                                                entra_object_id__in=wanted).values(*ROW_FIELDS):
                rows[str(row["entra_object_id"])] = row
        actions, unchanged, back_in_scope = [], [], []
        out_of_scope = 0
        for oid in fresh:
            self.seen.add(oid)
            user = directory_user(unique[oid], self.region)
            row = rows.get(oid)
            verdict = verdict_for(user, self.settings)
            action = plan_user(user, verdict, row, self.book, self.policy, self.now)
            if verdict.provisioned and oid in self.rejected:
                back_in_scope.append(oid)
            if action is None:
                if verdict.provisioned:
                    unchanged.append(row["id"])
                else:
                    out_of_scope += 1
            elif action.kind == DISABLE:
                action.signature = user_signature(user)
                self.removals.append(action)
            else:
                actions.append(action)
        if back_in_scope and self.writes:  # in scope again: a later removal is a new question
            rejections_forget(self.organization, back_in_scope)
            for oid in back_in_scope:
                self.rejected.pop(oid, None)
        gone_read = 0
        for oid, item in gone.items():
            if oid in unique:
                continue
            gone_read += 1
            row = rows.get(oid)
            if row and row["source"] == "entra" and row["sync_state"] != REMOVED:
                why = "deleted" if item.permanently else "changed"
                action = removal(row, row["display_name"] or row["entra_upn"], REMOVED_REASONS[why], self.now)
                action.signature = f"removed:{why}"
                self.removals.append(action)
            else:
                out_of_scope += 1  # deleted in Entra, and had no active extension
        self.ctx.add(read=len(fresh) + gone_read, unchanged=len(unchanged), out_of_scope=out_of_scope)
        self._commit(actions)
        if self.writes and self.ctx.run.full:
            touch(unchanged, self.now)
        self.ctx.flush(f"Reading users: {self.ctx.counts['read']} read")

    def _commit(self, actions: list[Action]) -> None:
        if self.writes and actions:
            apply_actions(self.organization, actions, self.now)
        if self.known is not None:
            self.known.update(action.object_id for action in actions if action.kind == CREATE)
        for action in actions:
            self.record(action)

    def record(self, action: Action, reason_prefix: str = "") -> None:
        self.ctx.add(**{COUNTER_OF.get(action.kind, action.kind): 1})
        if action.kind == SKIP:
            self.ctx.add(skipped=1)
        if action.kind == BOOKKEEPING:  # no field changed: no update in the log
            return
        self.ctx.event(action.kind, subject_id=action.object_id, subject=action.subject, number=action.number,
                       before=action.before, after=action.after, reason=reason_prefix + action.reason)

    # -- removals, last ----------------------------------------------------------------------------------------
    def _sweep_not_seen(self, scope: str) -> None:
        """After a complete read: synced extensions whose user was not seen are removed from scope."""
        queued = {a.object_id for a in self.removals}
        synced = Extension.objects.filter(organization=self.organization, source=Extension.Source.ENTRA) \
            .exclude(sync_state=REMOVED)
        unseen = [oid for oid in (str(o) for o in synced.values_list("entra_object_id", flat=True)
                                  .iterator(chunk_size=10000)) if oid not in self.seen and oid not in queued]
        for start in range(0, len(unseen), 1000):  # full rows only for the few that are gone
            for row in synced.filter(entra_object_id__in=unseen[start:start + 1000]).values(*ROW_FIELDS):
                action = removal(row, row["display_name"] or row["entra_upn"], NOT_SEEN_REASONS[scope], self.now)
                action.signature = f"unseen:{scope}"
                self.removals.append(action)
                # The complete read established that this synced user is gone: one outcome, like a user read.
                self.ctx.add(read=1)

    def _grace_deletions(self) -> None:
        self.removals.extend(self.grace_deletions())

    def grace_deletions(self) -> list[Action]:
        """Deletions of extensions removed from scope longer ago than the grace period (none when it is empty)."""
        grace = self.settings.removal_grace_days
        if grace is None:
            return []
        expired = Extension.objects.filter(organization=self.organization, source=Extension.Source.ENTRA,
                                           sync_state=REMOVED, removed_at__lt=self.now - timezone.timedelta(days=grace))
        actions = []
        for row in expired.values(*ROW_FIELDS).iterator(chunk_size=5000):
            action = deletion(row, row["display_name"] or row["entra_upn"], grace)
            action.signature = f"grace:{row['removed_at'].isoformat()}"
            actions.append(action)
        return actions

    def _leave_out_rejected(self) -> None:
        """Removals an admin rejected, for users who have not changed since, are not planned again."""
        if not self.rejected:
            return
        rejected = [a for a in self.removals if self.rejected.get(a.object_id) == a.signature]
        if not rejected:
            return
        self.removals = [a for a in self.removals if self.rejected.get(a.object_id) != a.signature]
        self.ctx.add(out_of_scope=sum(1 for a in rejected if a.kind == DISABLE), rejected_earlier=len(rejected))
        self.ctx.event(SyncEvent.Action.INFO, reason=(
            f"{len(rejected)} removal{'s' if len(rejected) != 1 else ''} rejected earlier by an administrator "
            "not planned again: those users have not changed in Entra since."))

    def _finish(self, delta_link: str | None) -> bool:
        """Apply removals if within the threshold, then store the delta link. False when approval is needed."""
        self._grace_deletions()
        self._leave_out_rejected()
        planned = len(self.removals)
        allowed = self.ctx.run.options.get("allow_removals")
        limit = int(allowed) if allowed is not None else self.settings.removal_limit(self._synced_count())
        self.ctx.counts["planned_removals"] = planned
        if planned > limit:
            message = (f"{planned} extensions would be disabled or deleted, more than the safety limit of {limit}. "
                       "Nothing was removed: approve to apply these removals, or reject and check the scope.")
            if not self.writes:  # a preview lists what approval would apply, and its counters say the same
                self.ctx.outcome_message = "A real run would stop for approval: " + message
                for action in self.removals:
                    self.record(action, "Needs approval in a real run: ")
                self.removals = []
                return False
            for action in self.removals:
                self.ctx.event(SyncEvent.Action.HELD, subject_id=action.object_id, subject=action.subject,
                               number=action.number, before=action.before, after=action.after,
                               reason=f"Would be {action.kind}, waiting for approval: {action.reason}")
                if action.kind == DISABLE:  # read, out of scope; its extension stays as it is until approved
                    self.ctx.add(out_of_scope=1)
            disabling = sum(1 for a in self.removals if a.kind == DISABLE)
            self.ctx.add(removals_held=planned, held_disabled=disabling, held_deleted=planned - disabling)
            held_signatures_store(self.ctx.run, {a.object_id: a.signature for a in self.removals})
            self.ctx.outcome, self.ctx.outcome_message = SyncRun.Status.NEEDS_APPROVAL, message
            return False
        self.ctx.flush(f"Applying {planned} removals" if planned else "Finishing")
        self._commit(self.removals)
        self.removals = []
        if self.writes and delta_link:
            DeltaCursor.objects.update_or_create(organization=self.organization, kind=SyncKind.USERS,
                                                 key=self.cursor_key, defaults={"delta_link": delta_link})
            DeltaCursor.objects.filter(organization=self.organization, kind=SyncKind.USERS) \
                .exclude(key=self.cursor_key).delete()
        return True

    def _synced_count(self) -> int:
        """What the deletion threshold is a share of: active synced extensions. Disabled ones (removed earlier, or
        kept for disabled accounts) must not raise the limit, or repeated runs could remove more than it allows."""
        return Extension.objects.filter(organization=self.organization, source=Extension.Source.ENTRA,
                                        status=Extension.Status.ACTIVE).exclude(sync_state=REMOVED).count()

    # -- numbers ---------------------------------------------------------------------------------------------
    def _number_book(self) -> NumberBook:
        return number_book(self.organization, self.settings)


def number_book(organization, settings: UserSyncSettings) -> NumberBook:
    """The organization's numbers (every extension's holder, retained numbers) under these numbering settings."""
    holders, labels = {}, {}
    rows = Extension.objects.filter(organization=organization).values_list(
        "number", "source", "entra_object_id", "display_name")
    for number, source, oid, name in rows.iterator(chunk_size=10000):
        if source == Extension.Source.ENTRA and oid:
            key = f"user:{oid}"
            labels[key] = name
        else:
            key = f"manual:{name} (manual extension)"
        holders[number] = key
    retained = dict(RetainedNumber.objects.filter(organization=organization)
                    .values_list("entra_object_id", "number"))
    retained = {str(oid): number for oid, number in retained.items()}
    try:
        reserved = parse_reserved(settings.reserved_numbers)
    except ValueError:
        reserved = []
    return NumberBook(holders, retained, reserved, settings.range_start, settings.range_end, labels)
