"""Approval without a dead end: the User Synchronization page shows what waits and asks before approving; new and
changed users keep being synchronized while removals wait; a rejection is remembered until those users change."""

import pytest

from extensions.models import Extension
from integrations.sync.models import SyncRun
from integrations.sync.runs import run_reject
from tests.helpers.user_sync import active_synced, directory_users, new_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
PAGE = "/integrations/entra/user-sync/"


def disable_many(emu, count=30) -> list[dict]:
    users = [u for u in directory_users(emu) if u["accountEnabled"] and u["userType"] == "Member"][:count]
    for user in users:
        emu.control("PATCH", f"users/{user['id']}", json={"accountEnabled": False})
    return users


def test_the_page_shows_what_waits_and_approve_asks_naming_the_count(emu, sync, organization, admin_client):
    sync()
    users = disable_many(emu)
    run = sync(trigger=SyncRun.Trigger.SCHEDULE)
    assert run.status == "needs_approval" and run.phase == "Waiting for approval"  # no stale "Reading users"
    body = admin_client.get(PAGE).content.decode()
    panel = body.split('id="approval"')[1].split("</div>\n  </div>")[0]
    assert "Needs approval" in body and "disable <strong>30</strong> extensions" in panel
    first = run.events.filter(action="held").values_list("subject", flat=True)[0]
    assert first.split(" <")[0] in panel and "and 25 more" in panel
    assert 'data-confirm="Approve these removals? 30 extensions will be disabled."' in panel
    for decision in ("approve", "reject"):
        assert f"/integrations/sync/runs/{run.pk}/{decision}/" in panel
    assert "last sync" not in body.split('id="automatic-sync"')[1].split("</p>")[1]  # the status says Needs approval
    assert {e.subject_id for e in run.events.filter(action="held")} == {u["id"] for u in users}


def test_new_hires_are_created_while_removals_wait(emu, sync, organization):
    sync()
    disable_many(emu)
    waiting = sync(trigger=SyncRun.Trigger.SCHEDULE)
    assert waiting.status == "needs_approval"
    hire = new_user(emu, "Nina Newhire")
    later = sync(trigger=SyncRun.Trigger.SCHEDULE)
    assert later.counts["created"] == 1 and hire["id"] in active_synced(organization)
    assert later.status == "needs_approval"  # the removals still wait...
    waiting.refresh_from_db()
    assert waiting.status == "superseded"  # ...in the latest run only
    assert SyncRun.objects.filter(organization=organization, status="needs_approval").count() == 1


def test_a_rejection_is_remembered_until_the_user_changes_in_entra(emu, sync, organization, admin_user):
    sync()
    users = disable_many(emu)
    held = sync(trigger=SyncRun.Trigger.SCHEDULE)
    run_reject(run=held, actor=admin_user)
    after = sync(trigger=SyncRun.Trigger.SCHEDULE)
    assert after.status == "succeeded" and after.counts.get("disabled", 0) == 0, after.counts
    assert after.counts["rejected_earlier"] == 30 and after.events.filter(action="info").exists()
    quiet = sync(trigger=SyncRun.Trigger.SCHEDULE)
    assert quiet.status == "succeeded" and not quiet.events.filter(action__in=["held", "disabled"]).exists()
    changed = users[0]
    emu.control("PATCH", f"users/{changed['id']}", json={"jobTitle": "Left the company"})
    again = sync(trigger=SyncRun.Trigger.SCHEDULE)
    assert again.status == "succeeded" and again.counts["disabled"] == 1
    assert Extension.objects.get(organization=organization, entra_object_id=changed["id"]).status == "disabled"
    assert Extension.objects.filter(organization=organization, entra_object_id__in=[u["id"] for u in users[1:]],
                                    status="active").count() == 29
