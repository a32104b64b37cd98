"""User and extension provisioning end to end: the product's Graph client (MSAL, HTTPS) against the emulator."""

import pytest

from extensions.models import Extension, ExtensionGroup
from integrations.graph import users as graph_users
from integrations.sync.models import DeltaCursor, SyncRun
from integrations.sync.runs import run_approve, run_reject
from tests.helpers.user_sync import active_synced, directory_users, in_scope_ids, new_user, removal_events, settings_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_first_sync_all_users_creates_members_with_enabled_accounts(emu, sync, organization):
    run = sync()
    assert run.status == "succeeded", run.error
    expected = in_scope_ids(emu)
    synced = active_synced(organization)
    assert set(synced) == expected
    assert run.counts["created"] == len(expected)
    numbers = [e.number for e in synced.values()]
    assert len(set(numbers)) == len(numbers) and all(1000 <= int(n) <= 8999 for n in numbers)
    grace = {u["id"]: u for u in directory_users(emu)}
    some = next(iter(synced.values()))
    user = grace[str(some.entra_object_id)]
    assert some.display_name == user["displayName"] and some.email == user["mail"].lower()
    assert some.sync_state == "synced" and some.last_synced_at is not None
    assert DeltaCursor.objects.filter(organization=organization, kind="users").count() == 1
    organization.entra_connection.refresh_from_db()
    assert emu.tenant["tenant_domain"] in organization.entra_connection.verified_domains
    assert run.graph_requests == 3  # verified domains, delta starting point, one page of 999


def test_quiet_incremental_run_costs_one_request(emu, sync, organization):
    sync()
    emu.control("DELETE", "requests")
    run = sync()
    assert run.status == "succeeded" and not run.full
    counts = emu.request_counts()
    graph_calls = sum(n for route, n in counts["by_route"].items() if "/v1.0/" in route)
    assert graph_calls == run.graph_requests <= 2
    assert run.counts.get("created", 0) == run.counts.get("updated", 0) == 0


def test_changes_reach_the_extension_with_before_and_after(emu, sync, organization):
    sync()
    user = directory_users(emu)[0]
    emu.control("PATCH", f"users/{user['id']}", json={
        "displayName": "Renamed Person", "mail": "renamed.person@contoso.com", "jobTitle": "Chief Tester",
        "department": "Quality"})
    run = sync()
    assert run.counts["updated"] == 1
    extension = Extension.objects.get(organization=organization, entra_object_id=user["id"])
    assert (extension.display_name, extension.email, extension.job_title, extension.department) == (
        "Renamed Person", "renamed.person@contoso.com", "Chief Tester", "Quality")
    event = run.events.get(action="updated")
    assert event.before["display_name"] == user["displayName"] and event.after["display_name"] == "Renamed Person"
    assert event.after["job_title"] == "Chief Tester" and "department" in event.before


def test_disabled_soft_deleted_restored_and_hard_deleted_users(emu, sync, organization):
    sync()
    users = [u for u in directory_users(emu) if u["accountEnabled"]][:3]
    before = {u["id"]: Extension.objects.get(organization=organization, entra_object_id=u["id"]) for u in users}
    emu.control("PATCH", f"users/{users[0]['id']}", json={"accountEnabled": False})
    emu.control("POST", f"users/{users[1]['id']}/soft-delete")
    emu.control("DELETE", f"users/{users[2]['id']}")
    run = sync()
    assert run.counts["disabled"] == 3
    for user in users:
        extension = Extension.objects.get(pk=before[user["id"]].pk)
        assert extension.status == "disabled" and extension.sync_state == "removed" and extension.removed_at
    reasons = {e.subject_id: e.reason for e in run.events.filter(action="disabled")}
    assert "disabled" in reasons[users[0]["id"]].lower()
    assert "restorable" in reasons[users[1]["id"]]
    assert "permanently" in reasons[users[2]["id"]]
    emu.control("POST", f"users/{users[1]['id']}/restore")
    emu.control("PATCH", f"users/{users[0]['id']}", json={"accountEnabled": True})
    run = sync()
    assert run.counts["restored"] == 2
    for user in users[:2]:
        extension = Extension.objects.get(pk=before[user["id"]].pk)
        assert extension.status == "active" and extension.number == before[user["id"]].number
        assert extension.removed_at is None and extension.sync_state == "synced"


def test_grace_period_deletes_and_the_number_comes_back(emu, sync, organization):
    sync()
    user = directory_users(emu)[0]
    number = Extension.objects.get(organization=organization, entra_object_id=user["id"]).number
    emu.control("POST", f"users/{user['id']}/soft-delete")
    sync()
    Extension.objects.filter(organization=organization, entra_object_id=user["id"]).update(
        removed_at="2020-01-01T00:00:00Z")
    run = sync()
    assert run.counts["purged"] == 1 and not run.counts.get("deleted")  # grace period over: outside read
    assert not Extension.objects.filter(organization=organization, entra_object_id=user["id"]).exists()
    from extensions.models import RetainedNumber

    assert RetainedNumber.objects.get(organization=organization, number=number).holder_name.startswith(
        user["displayName"])  # the manual extension form names whose number it is
    emu.control("POST", f"users/{user['id']}/restore")
    run = sync()
    assert run.counts["created"] == 1
    assert Extension.objects.get(organization=organization, entra_object_id=user["id"]).number == number


def test_never_delete_keeps_removed_extensions(emu, sync, organization):
    settings_of(organization, removal_grace_days=None)
    sync()
    user = directory_users(emu)[0]
    emu.control("POST", f"users/{user['id']}/soft-delete")
    sync()
    Extension.objects.filter(organization=organization, entra_object_id=user["id"]).update(
        removed_at="2020-01-01T00:00:00Z")
    run = sync()
    assert run.counts.get("deleted", 0) == 0
    assert Extension.objects.get(organization=organization, entra_object_id=user["id"]).status == "disabled"


def test_disabled_accounts_kept_as_disabled_extensions(emu, sync, organization):
    settings_of(organization, disabled_accounts="keep")
    sync()
    disabled = [u for u in directory_users(emu) if not u["accountEnabled"]]
    for user in disabled:
        extension = Extension.objects.get(organization=organization, entra_object_id=user["id"])
        assert extension.status == "disabled" and extension.sync_state == "synced" and extension.removed_at is None


def test_group_scope_follows_membership_and_keeps_the_number(emu, sync, organization):
    groups = emu.graph("GET", "groups?$select=id,displayName&$top=999").json()["value"]
    group = next(g for g in groups if g["displayName"] == "Sales")
    settings_of(organization, scope="groups", groups=[{"id": group["id"], "name": "Sales"}])
    run = sync()
    assert run.status == "succeeded", run.error
    members = emu.graph("GET", f"groups/{group['id']}/transitiveMembers/microsoft.graph.user?$select=id,"
                               "accountEnabled&$top=999").json()["value"]
    expected = {m["id"] for m in members if m["accountEnabled"]}
    assert set(active_synced(organization)) == expected
    sales = ExtensionGroup.objects.get(organization=organization, entra_group_id=group["id"])
    assert sales.name == "Sales" and {str(e.entra_object_id) for e in sales.members.all()} == expected
    leaver = sorted(expected)[0]
    number = Extension.objects.get(organization=organization, entra_object_id=leaver).number
    emu.control("DELETE", f"groups/{group['id']}/members/{leaver}")
    run = sync()
    assert run.counts["disabled"] == 1
    assert Extension.objects.get(organization=organization, entra_object_id=leaver).status == "disabled"
    assert leaver not in {str(e.entra_object_id) for e in sales.members.all()}
    emu.control("POST", f"groups/{group['id']}/members", json={"id": leaver, "type": "user"})
    run = sync()
    assert run.counts["restored"] == 1
    back = Extension.objects.get(organization=organization, entra_object_id=leaver)
    assert back.status == "active" and back.number == number


def test_custom_filter_scope(emu, sync, organization):
    preview = graph_users.filter_preview(
        __import__("integrations.connection_client", fromlist=["x"]).graph_client_for(
            organization.entra_connection), "department eq 'Sales'")
    settings_of(organization, scope="filter", custom_filter="department eq 'Sales'",
                filter_check={"status": "valid", "filter": "department eq 'Sales'", "advanced": preview.advanced})
    run = sync()
    assert run.status == "succeeded", run.error
    expected = {u["id"] for u in directory_users(emu) if u["department"] == "Sales" and u["accountEnabled"]}
    assert expected and set(active_synced(organization)) == expected
    assert preview.count >= len(expected) and len(preview.sample) <= 20


def test_unvalidated_filter_never_runs(emu, sync, organization):
    settings_of(organization, scope="filter", custom_filter="department eq 'Sales'", filter_check={})
    run = sync()
    assert run.status == "failed" and "validated" in run.error
    assert not Extension.objects.filter(organization=organization).exists()


def test_number_conflict_with_a_manual_extension_is_reported_not_overwritten(emu, sync, organization,
                                                                              extension_factory):
    user = next(u for u in directory_users(emu) if u["accountEnabled"])
    emu.control("PATCH", f"users/{user['id']}", json={"onPremisesExtensionAttributes": {
        "extensionAttribute3": "4711"}})
    manual = extension_factory(number="4711", display_name="Front Desk")
    settings_of(organization, numbering="attribute", number_attribute="extensionAttribute3",
                number_rule="all_digits")
    run = sync()
    conflict = run.events.get(subject_id=user["id"], action="conflict")
    assert "4711" in conflict.reason and "Front Desk" in conflict.reason
    manual.refresh_from_db()
    assert manual.source == "manual" and manual.display_name == "Front Desk"
    assert not Extension.objects.filter(organization=organization, entra_object_id=user["id"]).exists()


def test_attribute_numbering_with_bad_values(emu, sync, organization):
    users = [u for u in directory_users(emu) if u["accountEnabled"]][:4]
    values = ["12345", "", "abc", "0123"]
    for user, value in zip(users, values, strict=True):
        emu.control("PATCH", f"users/{user['id']}", json={"onPremisesExtensionAttributes": {
            "extensionAttribute5": value or None}})
    settings_of(organization, numbering="attribute", number_attribute="extensionAttribute5",
                number_rule="last_digits", number_digits=4)
    run = sync()
    assert Extension.objects.get(organization=organization, entra_object_id=users[0]["id"]).number == "2345"
    reasons = {e.subject_id: e.reason for e in run.events.filter(action="conflict")}
    assert "empty" in reasons[users[1]["id"]]
    assert "fewer than 4 digits" in reasons[users[2]["id"]]
    assert "not a valid extension number" in reasons[users[3]["id"]]
    assert run.counts["conflicts"] >= 3


def test_threshold_trips_then_approval_applies(emu, sync, organization, admin_user):
    sync()
    victims = [u for u in directory_users(emu) if u["accountEnabled"]][:30]
    for user in victims:
        emu.control("POST", f"users/{user['id']}/soft-delete")
    run = sync()
    assert run.status == "needs_approval" and run.counts["planned_removals"] == 30
    assert len(active_synced(organization)) == len(in_scope_ids(emu)) + 30  # nothing removed
    assert not removal_events(run)
    approved = run_approve(run=run, actor=admin_user)
    from integrations.sync.runs import run_execute

    run_execute(approved.pk)
    approved.refresh_from_db()
    assert approved.status == "succeeded" and approved.counts["disabled"] == 30
    assert set(active_synced(organization)) == in_scope_ids(emu)
    run.refresh_from_db()
    assert run.status == "approved" and run.decided_by == admin_user


def test_rejected_removals_stay_and_automatic_runs_go_on(emu, sync, organization, admin_user):
    sync()
    for user in [u for u in directory_users(emu) if u["accountEnabled"]][:30]:
        emu.control("POST", f"users/{user['id']}/soft-delete")
    run = sync(trigger=SyncRun.Trigger.SCHEDULE)
    assert run.status == "needs_approval"
    schedule = organization.sync_schedules.get(kind="users")
    assert schedule.quarantined_until is None and schedule.next_run_at is not None  # only the removals wait
    run_reject(run=run, actor=admin_user)
    run.refresh_from_db()
    assert run.status == "rejected"
    assert len(active_synced(organization)) == len(in_scope_ids(emu)) + 30


def test_throttling_and_503_mid_run_are_waited_out(emu, sync, organization, monkeypatch):
    monkeypatch.setattr(graph_users, "PAGE_SIZE", 60)
    emu.control("POST", "faults", json={"kind": "429", "path": "/v1.0/users\\?.*skiptoken", "count": 1,
                                        "retry_after": 1})
    emu.control("POST", "faults", json={"kind": "503", "path": "/v1.0/users\\?.*skiptoken", "count": 1,
                                        "retry_after": 1})
    run = sync()
    assert run.status == "succeeded", run.error
    assert set(active_synced(organization)) == in_scope_ids(emu)
    assert run.graph_requests == 2 + 5 + 2  # verified domains, starting point, 5 pages, 2 retries


def test_expired_delta_token_leads_to_a_clean_full_resync(emu, sync, organization):
    sync()
    user = next(u for u in directory_users(emu) if u["accountEnabled"])
    emu.control("PATCH", f"users/{user['id']}", json={"displayName": "After Expiry"})
    for mode in ("410", "400"):
        emu.control("POST", "delta/expire", json={"mode": mode})
        run = sync()
        assert run.status == "succeeded", run.error
        assert run.full and run.counts["resyncs"] == 1
        assert Extension.objects.get(organization=organization, entra_object_id=user["id"]).display_name == \
            "After Expiry"
        assert set(active_synced(organization)) == in_scope_ids(emu)
        assert not removal_events(run)


def test_a_failed_read_removes_nothing(emu, sync, organization, monkeypatch):
    monkeypatch.setattr(graph_users, "PAGE_SIZE", 60)
    sync(full=True)
    emu.control("POST", "faults", json={"kind": "503", "path": "/v1.0/users\\?.*skiptoken", "count": 50,
                                        "retry_after": 0})
    run = sync(full=True)
    assert run.status == "failed" and "Nothing was removed" in run.error
    assert set(active_synced(organization)) == in_scope_ids(emu)
    assert run.events.filter(action__in=["disabled", "deleted"]).count() == 0


def test_worker_crash_between_pages_then_next_run_completes(emu, sync, organization, monkeypatch):
    from integrations.sync.users import engine

    monkeypatch.setattr(graph_users, "PAGE_SIZE", 60)
    original = engine.UserSync._process
    calls = {"n": 0}

    class WorkerKilled(BaseException):
        pass

    def crash_after_two_pages(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise WorkerKilled
        return original(self, *args, **kwargs)

    monkeypatch.setattr(engine.UserSync, "_process", crash_after_two_pages)
    with pytest.raises(WorkerKilled):
        sync()
    crashed = SyncRun.objects.get(organization=organization)
    assert crashed.status == "running"
    created_before_crash = crashed.counts["created"]
    assert crashed.counts["read"] == 120  # two pages of 60 were committed whole
    assert Extension.objects.filter(organization=organization).count() == created_before_crash > 100
    monkeypatch.setattr(engine.UserSync, "_process", original)
    SyncRun.objects.filter(pk=crashed.pk).update(heartbeat_at="2020-01-01T00:00:00Z")
    run = sync()
    crashed.refresh_from_db()
    assert crashed.status == "failed" and "worker" in crashed.error
    assert run.status == "succeeded"
    assert set(active_synced(organization)) == in_scope_ids(emu)
    assert run.counts["created"] == len(in_scope_ids(emu)) - created_before_crash and not removal_events(run)


def test_second_sync_now_returns_the_running_one(emu, connection, organization):
    from integrations.sync.runs import run_request

    first, created = run_request(organization=organization, kind="users", trigger="manual", enqueue=False)
    second, created_again = run_request(organization=organization, kind="users", trigger="manual", enqueue=False)
    assert created and not created_again and second.pk == first.pk


def test_guests_only_when_asked(emu, sync, organization):
    guest = new_user(emu, "Gail Guest", userType="Guest", userPrincipalName="gail_fabrikam.com#EXT#@contoso.com")
    sync()
    assert guest["id"] not in active_synced(organization)
    settings_of(organization, include_guests=True)
    run = sync()
    assert run.full  # scope options changed: a full read
    assert guest["id"] in active_synced(organization)


def test_extension_groups_of_a_scope_that_no_longer_applies_are_removed(emu, sync, organization):
    groups = emu.graph("GET", "groups?$select=id,displayName&$top=999").json()["value"]
    group = next(g for g in groups if g["displayName"] == "Sales")
    settings_of(organization, scope="groups", groups=[{"id": group["id"], "name": "Sales"}])
    sync()
    assert ExtensionGroup.objects.filter(organization=organization, entra_group_id=group["id"]).exists()
    manual = ExtensionGroup.objects.create(organization=organization, name="Reception (manual)")
    settings_of(organization, scope="all")
    run = sync()
    assert run.status == "succeeded", run.error
    assert list(ExtensionGroup.objects.filter(organization=organization)) == [manual]
    assert run.events.filter(action="info", reason__contains="Sales removed").exists()
