"""Counts that add up and mean one thing: every user read gets one outcome; a conflict is a user left without a
number; a run with no field change records no update; a preview's counters equal its list."""

import json

import pytest
from django.core.management import call_command

from extensions.models import Extension
from integrations.sync.users.engine import OUTCOMES
from tests.helpers.user_sync import directory_users, settings_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_read_is_created_plus_out_of_scope_on_a_first_sync(emu, sync, organization):
    run = sync()
    users = directory_users(emu)
    outside = [u for u in users if not u["accountEnabled"] or u["userType"] != "Member"]
    assert outside, "the demo tenant has guests and disabled accounts"
    assert run.counts["read"] == len(users)
    assert run.counts["created"] == len(users) - len(outside)
    assert run.counts["out_of_scope"] == len(outside)


def test_sync_users_json_has_read_unchanged_out_of_scope_and_purged(emu, connection, organization, capsys):
    call_command("sync_users", organization.name, "--json")
    first = json.loads(capsys.readouterr().out)
    call_command("sync_users", organization.name, "--full", "--json")
    second = json.loads(capsys.readouterr().out)
    for summary in (first, second):
        assert {"read", "unchanged", "out_of_scope", "purged"} <= summary.keys()
        assert summary["read"] == sum(summary[name] for name in OUTCOMES)
    assert second["unchanged"] == first["created"] and second["updated"] == 0


def test_a_user_who_keeps_their_number_is_updated_not_a_conflict(emu, sync, organization):
    sync()
    user = next(u for u in directory_users(emu) if u["accountEnabled"] and u["userType"] == "Member")
    number = Extension.objects.get(organization=organization, entra_object_id=user["id"]).number
    emu.control("PATCH", f"users/{user['id']}", json={"onPremisesExtensionAttributes": {"extensionAttribute5": "abc"}})
    settings_of(organization, numbering="attribute", number_attribute="extensionAttribute5", number_digits=4)
    sync()
    emu.control("PATCH", f"users/{user['id']}", json={"displayName": "Renamed Keeper", "jobTitle": "Keeper"})
    run = sync()
    assert run.counts.get("conflicts", 0) == 0 and run.counts["updated"] >= 1
    event = run.events.get(subject_id=user["id"])
    assert event.action == "updated" and event.after["display_name"] == "Renamed Keeper"
    assert f"the number stays {number}" in event.reason and "Cannot take the extension number" in event.reason
    extension = Extension.objects.get(organization=organization, entra_object_id=user["id"])
    assert extension.number == number and extension.sync_state == "conflict" and extension.sync_message


def test_a_run_without_field_changes_records_no_update(emu, sync, organization):
    """The "Updated 245, Conflict resolved, empty before and after" run: switching attribute numbering (whose
    number problems are noted on every extension) back to a range cleared those notes and logged each as an update."""
    first = sync()
    settings_of(organization, numbering="attribute", number_attribute="extensionAttribute5", number_digits=4)
    noted = sync()
    settings_of(organization, numbering="auto")
    cleared = sync()
    for run in (noted, cleared):
        assert run.counts.get("updated", 0) == 0 and run.counts.get("conflicts", 0) == 0, run.counts
        assert run.counts["unchanged"] == first.counts["created"]
        assert not run.events.filter(action="updated").exists()
    assert not Extension.objects.filter(organization=organization).exclude(sync_state="synced").exists()


def test_preview_counters_equal_its_list(emu, sync, organization):
    sync()
    for user in [u for u in directory_users(emu) if u["accountEnabled"]][:30]:
        emu.control("POST", f"users/{user['id']}/soft-delete")
    preview = sync(dry_run=True, full=True)
    listed = {action: preview.events.filter(action=action).count() for action in ("disabled", "deleted", "created")}
    assert listed["disabled"] == preview.counts["disabled"] == 30
    assert preview.counts.get("created", 0) == listed["created"]
    assert "would stop for approval" in preview.phase or "approval" in preview.error + preview.phase
