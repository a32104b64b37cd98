"""“Sync this user”: one user, by e-mail or UPN, with each step recorded for the admin to read."""

from __future__ import annotations

from django.utils import timezone

from extensions.models import Extension
from integrations.graph import groups as graph_groups
from integrations.graph import users as graph_users
from integrations.sync.models import SyncEvent
from integrations.sync.users.apply import apply_actions
from integrations.sync.users.engine import UserSync
from integrations.sync.users.mapping import directory_user
from integrations.sync.users.planner import ROW_FIELDS, NumberPolicy, plan_user, removal
from integrations.sync.users.scope import OUT_OF_SCOPE, Verdict, verdict_for

STEP = SyncEvent.Action.STEP


def sync_single_user(ctx, settings) -> None:
    query = (ctx.run.options.get("user") or "").strip()
    ctx.event(STEP, subject=query, reason=f"Looking up “{query}” in Microsoft Entra ID (by UPN, then by e-mail)")
    found = graph_users.find_user(ctx.client, query)
    if found is None:
        ctx.event(STEP, subject=query, reason="Not found in Entra: no user has this user principal name or e-mail. "
                                              "Nothing was changed.")
        ctx.outcome_message = f"No Entra user “{query}”."
        ctx.add(read=0)
        return
    user = directory_user(found, ctx.organization.default_region)
    ctx.add(read=1)
    ctx.event(STEP, subject_id=user.object_id, subject=user.label,
              reason=f"Found in Entra: object id {user.object_id}, account "
                     f"{'enabled' if user.enabled else 'disabled'}, {'guest' if user.guest else 'member'}")
    verdict = _scope_verdict(ctx, settings, user)
    ctx.event(STEP, subject_id=user.object_id, subject=user.label,
              reason="In scope" if verdict.state != OUT_OF_SCOPE else f"Not in scope: {verdict.reason}")
    row = Extension.objects.filter(organization=ctx.organization, entra_object_id=user.object_id) \
        .values(*ROW_FIELDS).first()
    sync = UserSync(ctx, settings)
    now = timezone.now()
    if verdict.state == OUT_OF_SCOPE and row and row["source"] == "entra" and row["sync_state"] != "removed":
        action = removal(row, user.label, verdict.reason, now)
    else:
        action = plan_user(user, verdict, row, sync.book, NumberPolicy(settings.numbering, settings.number_attribute,
                           settings.number_rule, settings.number_digits), now)
    number = (action.number if action else None) or (row["number"] if row else "")
    if number:
        kept = row is not None and row["number"] == number
        ctx.event(STEP, subject_id=user.object_id, subject=user.label, number=number,
                  reason=f"Extension number {number} ({'kept' if kept else 'assigned'})")
    if action is None:
        ctx.event(STEP, subject_id=user.object_id, subject=user.label, number=number,
                  reason="No change needed: the extension already matches Entra" if row else
                  "Nothing to do: the user is not in scope and has no extension")
        ctx.add(**{"unchanged" if verdict.provisioned else "out_of_scope": 1})
        return
    if not ctx.run.dry_run:
        apply_actions(ctx.organization, [action], now)
    sync.record(action)
    ctx.event(STEP, subject_id=user.object_id, subject=user.label, number=action.number,
              reason=f"Action taken: {action.kind} ({action.reason})")


def _scope_verdict(ctx, settings, user) -> Verdict:
    base = verdict_for(user, settings)
    if base.state == OUT_OF_SCOPE:
        return base
    if settings.scope == "groups":
        for group in settings.groups:
            if user.object_id in graph_groups.member_ids(ctx.client, group["id"]):
                return base
        return Verdict(OUT_OF_SCOPE, "Not a member of the chosen groups")
    if settings.scope == "filter":
        check = settings.filter_check or {}
        if not graph_users.user_matches_filter(ctx.client, user.object_id, settings.custom_filter,
                                               bool(check.get("advanced"))):
            return Verdict(OUT_OF_SCOPE, "Does not match the custom filter")
    return base


