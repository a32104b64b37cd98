"""Safety rules of user sync that must hold exactly: the deletion threshold counts active synced extensions only,
manual extensions are never removed (bound through SSO or not), and an approved run lifts the approval hold."""

import uuid

import pytest
from django.utils import timezone

from extensions.models import Extension
from integrations.sync.models import SyncRun
from integrations.sync.runs import run_approve, run_execute
from tests.helpers.user_sync import active_synced, directory_users, removal_events, settings_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


# --- the deletion threshold ---------------------------------------------------------------------------------------
def test_disabled_extensions_do_not_raise_the_deletion_limit(emu, sync, organization):
    # Disabled accounts are kept as disabled extensions: 60 of them, beside the active ones.
    settings_of(organization, disabled_accounts="keep", threshold_percent=100, threshold_count=10_000)
    enabled = [u for u in directory_users(emu) if u["accountEnabled"] and u["userType"] == "Member"]
    for user in enabled[:60]:
        emu.control("PATCH", f"users/{user['id']}", json={"accountEnabled": False})
    assert sync(full=True).status == "succeeded"
    synced = Extension.objects.filter(organization=organization, source="entra")
    active = synced.filter(status="active").count()
    kept_disabled = synced.filter(status="disabled", sync_state="synced").count()
    assert kept_disabled >= 60
    # 10% of the active ones, plus one: too many. Counting the disabled ones too would have allowed it.
    settings_of(organization, threshold_percent=10, threshold_count=10_000)
    victims = active * 10 // 100 + 1
    assert victims <= (active + kept_disabled) * 10 // 100
    for user in enabled[60:60 + victims]:
        emu.control("POST", f"users/{user['id']}/soft-delete")
    run = sync()
    assert run.status == "needs_approval", run.counts
    assert run.counts["planned_removals"] == victims and not removal_events(run)
    assert synced.filter(status="active").count() == active  # nothing removed


def test_repeated_runs_cannot_remove_more_than_the_limit(emu, sync, organization):
    settings_of(organization, threshold_percent=10, threshold_count=10_000)
    assert sync(full=True).status == "succeeded"
    active = len(active_synced(organization))
    limit = active * 10 // 100
    users = [u for u in directory_users(emu) if str(u["id"]) in active_synced(organization)]
    for user in users[:limit]:
        emu.control("POST", f"users/{user['id']}/soft-delete")
    first = sync()
    assert first.status == "succeeded" and first.counts["disabled"] == limit
    # The ones just disabled no longer count: the next batch of the same size is over the (smaller) limit.
    for user in users[limit:2 * limit]:
        emu.control("POST", f"users/{user['id']}/soft-delete")
    second = sync()
    assert second.status == "needs_approval" and not removal_events(second)
    assert len(active_synced(organization)) == active - limit


# --- manual extensions --------------------------------------------------------------------------------------------
def test_a_manual_extension_bound_through_sso_is_never_removed(emu, sync, organization):
    users = [u for u in directory_users(emu) if u["accountEnabled"] and u["userType"] == "Member"]
    leaver, disabled, other = users[:3]
    # Bound to a Microsoft account at an SSO sign-in (by e-mail): source stays manual, entra_object_id is set.
    manual = {user["id"]: Extension.objects.create(
        organization=organization, number=str(7000 + i), display_name=f"Front desk {i}", source="manual",
        entra_object_id=uuid.UUID(user["id"])) for i, user in enumerate((leaver, disabled, other))}
    settings_of(organization, removal_grace_days=0)
    assert sync(full=True).status == "succeeded"
    emu.control("POST", f"users/{leaver['id']}/soft-delete")  # incremental: reported as @removed
    emu.control("PATCH", f"users/{disabled['id']}", json={"accountEnabled": False})  # out of scope
    emu.control("DELETE", f"users/{other['id']}")  # permanently deleted
    runs = [sync(), sync(full=True)]  # the delta round, then the full read's not-seen sweep
    # Even marked as removed long ago (say, left over from before it was made manual) it is not deleted.
    Extension.objects.filter(pk__in=[e.pk for e in manual.values()]).update(
        sync_state="removed", removed_at=timezone.now() - timezone.timedelta(days=400))
    runs.append(sync(full=True))  # a grace period of 0 days: deletions would be due now
    runs.append(_sync_single_user(organization, disabled["mail"]))
    for run in runs:
        assert run.status == "succeeded", run.error
        assert not [e for e in removal_events(run) if e.subject_id in manual], run.pk
    for extension in manual.values():
        extension.refresh_from_db()
        assert (extension.status, extension.source) == ("active", "manual")


def _sync_single_user(organization, query):
    from integrations.sync.models import SyncKind
    from integrations.sync.runs import run_request

    run, _ = run_request(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.SINGLE_USER,
                         options={"user": query}, enqueue=False)
    run_execute(run.pk)
    run.refresh_from_db()
    return run


# --- the approval hold ------------------------------------------------------------------------------------------
def test_automatic_runs_go_on_while_approval_waits_and_after_it(emu, sync, organization, admin_user):
    assert sync(full=True).status == "succeeded"
    for user in [u for u in directory_users(emu) if u["accountEnabled"]][:30]:
        emu.control("POST", f"users/{user['id']}/soft-delete")
    held = sync(trigger=SyncRun.Trigger.SCHEDULE)
    assert held.status == "needs_approval"
    schedule = organization.sync_schedules.get(kind="users")
    assert schedule.quarantined_until is None and schedule.next_run_at > timezone.now()  # only the removals wait
    approved = run_approve(run=held, actor=admin_user)
    assert approved.trigger == SyncRun.Trigger.APPROVAL
    run_execute(approved.pk)
    approved.refresh_from_db()
    assert approved.status == "succeeded" and approved.counts["disabled"] == 30
    schedule.refresh_from_db()
    assert schedule.quarantined_until is None and schedule.quarantine_reason == ""
    assert schedule.next_run_at is not None and schedule.next_run_at > timezone.now()
    assert schedule.last_run_id == approved.pk
