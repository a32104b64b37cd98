"""Teams presence both ways against the Entra/Graph emulator (HTTPS, MSAL as the real client)."""

import json

import pytest
from django.urls import reverse

from emulator.pytest_plugin import EmulatorHandle, start_emulator
from extensions.models import Extension
from integrations.graph import clear_clients
from integrations.sync.models import SyncEvent, SyncKind, SyncRun
from organizations.services import api_key_create
from pbx_portal.celery import app as celery_app
from presence.models import ExtensionPresence, PbxCall, PresenceSettings
from tests.helpers.factories import make_extension
from tests.helpers.presence import (
    bind,
    connect,
    directory_users,
    presence_requests,
    presence_writes,
    sync_presence,
    teams_presence,
    user_with,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
EVENTS_URL = "/api/pbx/calls/events"


def _use(emu, settings):
    for name, value in emu.settings.items():
        setattr(settings, name, value)
    clear_clients()


@pytest.fixture
def emu(emulator_clean, settings):
    _use(emulator_clean, settings)
    yield emulator_clean
    clear_clients()


@pytest.fixture
def eager_tasks():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_change_in_teams_is_in_the_pbx_after_one_cycle(emu, organization):
    connect(emu, organization)
    users = directory_users(emu, 20)
    extensions = bind(organization, users)
    first = sync_presence(organization)
    assert first["status"] == "succeeded" and first["users"] == 20 and first["changed"] == 20
    assert first["requests"] == 1
    target = extensions[3]
    emu.control("POST", f"/_emulator/presence/{users[3]['id']}", json={"availability": "DoNotDisturb",
                                                                        "activity": "Presenting"})
    emu.control("DELETE", "/_emulator/requests")
    second = sync_presence(organization)
    assert second == {"status": "succeeded", "users": 20, "requests": 1, "changed": 1}
    row = ExtensionPresence.objects.get(extension=target)
    assert (row.availability, row.activity, row.pbx_state) == ("DoNotDisturb", "Presenting", "dnd")
    assert presence_requests(emu) == 1
    # nothing changed: nothing written, and presence runs log no events
    assert sync_presence(organization)["changed"] == 0
    assert not SyncEvent.objects.filter(run__kind=SyncKind.PRESENCE).exists()


def test_mapping_table_is_applied(emu, organization):
    connect(emu, organization)
    settings = PresenceSettings.objects.get(organization=organization)
    settings.mapping = [{"availability": "Away", "activity": "*", "pbx_state": "offline"}]
    settings.save()
    user = directory_users(emu, 1)[0]
    (extension,) = bind(organization, [user])
    emu.control("POST", f"/_emulator/presence/{user['id']}", json={"availability": "Away", "activity": "Away"})
    sync_presence(organization)
    assert ExtensionPresence.objects.get(extension=extension).pbx_state == "offline"


def test_user_without_teams_presence_is_reported_once_and_not_polled_every_cycle(emu, organization):
    connect(emu, organization)
    bind(organization, directory_users(emu, 2))
    ghost = make_extension(organization, number="2999", source="entra",
                           entra_object_id="0badc0de-0000-4000-8000-000000000001")
    first = sync_presence(organization)
    assert first["status"] == "succeeded" and first["users"] == 3
    events = SyncEvent.objects.filter(run__kind=SyncKind.PRESENCE, number="2999")
    assert events.count() == 1 and "no Teams license" in events.get().reason
    row = ExtensionPresence.objects.get(extension=ghost)
    assert row.unavailable_since is not None and row.recheck_at is not None
    second = sync_presence(organization)
    assert second["users"] == 2  # not retried on every cycle
    assert events.count() == 1


def test_throttled_poll_is_retried_after_retry_after(emu, organization):
    connect(emu, organization)
    bind(organization, directory_users(emu, 5))
    emu.control("POST", "/_emulator/faults", json={"kind": "429", "path": "getPresencesByUserId", "count": 1,
                                                    "retry_after": 1})
    result = sync_presence(organization)
    assert result["status"] == "succeeded" and result["changed"] == 5
    assert result["requests"] == 2  # the 429 and its retry


def test_missing_read_permission_is_reported_by_name(emu, organization, admin_client):
    connect(emu, organization, direction=PresenceSettings.Direction.TEAMS_TO_PBX, writeback=False)
    bind(organization, directory_users(emu, 3))
    emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["Presence.Read.All",
                                                                       "Presence.ReadWrite.All"]})
    result = sync_presence(organization)
    assert result["status"] == "failed"
    assert "Presence.Read.All" in result["error"]
    assert not ExtensionPresence.objects.exists()
    body = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert "Missing permission: <strong>Presence.Read.All</strong>" in body
    # consent granted: the next cycle works and the warning goes away
    emu.control("POST", "/_emulator/app/permissions", json={"grant": ["Presence.Read.All"]})
    assert sync_presence(organization)["status"] == "succeeded"
    assert "Missing permission" not in admin_client.get(reverse("integrations:collaboration")).content.decode()


def test_missing_write_permission_is_reported_by_name(emu, organization, admin_client):
    connect(emu, organization)
    bind(organization, directory_users(emu, 3))
    emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["Presence.ReadWrite.All"]})
    result = sync_presence(organization)
    assert result["status"] == "succeeded"  # reading still works with Presence.Read.All
    body = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert "Missing permission: <strong>Presence.ReadWrite.All</strong>" in body
    assert "Missing permission: <strong>Presence.Read.All</strong>" not in body


# --- PBX to Teams ------------------------------------------------------------------------------------------------

def _event(client, key, number, event, call_id):
    return client.post(EVENTS_URL, data=json.dumps({"extension": number, "event": event, "call_id": call_id}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def pbx(emu, organization, client, eager_tasks, django_capture_on_commit_callbacks):
    connect(emu, organization)
    user = user_with(emu, "Available")
    (extension,) = bind(organization, [user])
    _, key = api_key_create(organization=organization, name="PBX", actor=None)

    def send(event, call_id):
        with django_capture_on_commit_callbacks(execute=True):
            response = _event(client, key, extension.number, event, call_id)
        assert response.status_code == 202, response.content
        return response.json()

    send.user_id = user["id"]
    send.extension = extension
    return send


def test_call_sets_and_clears_teams_presence(emu, pbx):
    assert teams_presence(emu, pbx.user_id) == ("Available", "Available")
    emu.control("DELETE", "/_emulator/requests")
    pbx("started", "call-1")
    assert teams_presence(emu, pbx.user_id) == ("Busy", "InACall")
    pbx("ended", "call-1")
    assert teams_presence(emu, pbx.user_id) == ("Available", "Available")
    by_path = emu.request_counts()["by_path"]
    assert by_path.get(f"POST /v1.0/users/{pbx.user_id}/presence/setPresence") == 1
    assert by_path.get(f"POST /v1.0/users/{pbx.user_id}/presence/clearPresence") == 1


def test_repeated_events_are_idempotent(emu, pbx):
    emu.control("DELETE", "/_emulator/requests")
    assert pbx("started", "call-1")["duplicate"] is False
    assert pbx("started", "call-1")["duplicate"] is True
    assert teams_presence(emu, pbx.user_id) == ("Busy", "InACall")
    assert pbx("ended", "call-1")["duplicate"] is False
    assert pbx("ended", "call-1")["duplicate"] is True
    assert teams_presence(emu, pbx.user_id) == ("Available", "Available")
    by_path = emu.request_counts()["by_path"]
    writes = sum(n for path, n in by_path.items() if path.endswith(("/setPresence", "/clearPresence")))
    assert writes == 2  # one set, one clear: duplicates never reach Graph


def test_overlapping_calls_keep_the_user_busy_until_both_end(emu, pbx):
    pbx("started", "call-a")
    pbx("started", "call-b")
    assert pbx("ended", "call-a")["active_calls"] == 1
    assert teams_presence(emu, pbx.user_id) == ("Busy", "InACall")
    assert pbx("ended", "call-b")["active_calls"] == 0
    assert teams_presence(emu, pbx.user_id) == ("Available", "Available")
    assert PbxCall.objects.filter(extension=pbx.extension, ended_at__isnull=True).count() == 0


def test_resets_before_set_presence_are_retried_by_the_task(emu, pbx):
    emu.control("POST", "/_emulator/faults", json={"kind": "reset", "path": "/setPresence$", "count": 2})
    emu.control("DELETE", "/_emulator/requests")
    pbx("started", "call-1")
    assert teams_presence(emu, pbx.user_id) == ("Busy", "InACall")
    assert presence_writes(emu, pbx.user_id) == (3, 0)  # two resets (nothing done), then the set


def test_a_clear_whose_answer_was_cut_is_not_an_error(emu, pbx):
    pbx("started", "call-1")
    emu.control("POST", "/_emulator/faults", json={"kind": "drop", "path": "/clearPresence$", "count": 1})
    emu.control("DELETE", "/_emulator/requests")
    pbx("ended", "call-1")
    # The first clear was applied and its answer cut; the retry finds no session (404) and is done.
    assert teams_presence(emu, pbx.user_id) == ("Available", "Available")
    assert presence_writes(emu, pbx.user_id) == (0, 2)
    assert ExtensionPresence.objects.get(extension=pbx.extension).teams_session_until is None


def test_a_set_whose_answer_was_cut_is_sent_again_harmlessly(emu, pbx):
    emu.control("POST", "/_emulator/faults", json={"kind": "drop", "path": "/setPresence$", "count": 1})
    pbx("started", "call-1")
    assert teams_presence(emu, pbx.user_id) == ("Busy", "InACall")
    assert ExtensionPresence.objects.get(extension=pbx.extension).teams_session_until is not None
    pbx("ended", "call-1")
    assert teams_presence(emu, pbx.user_id) == ("Available", "Available")


# --- 1,300 users: exactly two requests ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_emulator(tmp_path_factory):
    server = start_emulator(tmp_path_factory.mktemp("presence-1300"), users=1300, groups=1, seed=7,
                            shared_contacts=0)
    handle = EmulatorHandle(server)
    yield handle
    handle.close()
    server.stop()


def test_1300_users_take_exactly_two_requests(big_emulator, organization, settings):
    _use(big_emulator, settings)
    try:
        connect(big_emulator, organization, writeback=False)
        users = directory_users(big_emulator)
        assert len(users) == 1300
        Extension.objects.bulk_create([
            Extension(organization=organization, number=str(10000 + i), display_name=f"U{i}", source="entra",
                      entra_object_id=u["id"]) for i, u in enumerate(users)])
        big_emulator.control("DELETE", "/_emulator/requests")
        result = sync_presence(organization)
        assert result == {"status": "succeeded", "users": 1300, "requests": 2, "changed": 1300}
        assert presence_requests(big_emulator) == 2
        assert ExtensionPresence.objects.filter(organization=organization).count() == 1300
        assert SyncRun.objects.filter(kind=SyncKind.PRESENCE).get().graph_requests == 2
    finally:
        clear_clients()


def test_quiet_scheduled_polls_are_not_log_entries_and_their_counts_reach_the_collaboration_status(
        emu, organization, admin_client):
    from integrations.sync.runs import run_execute, run_request

    connect(emu, organization)
    users = directory_users(emu, 5)
    bind(organization, users)

    def scheduled_poll():
        run, _ = run_request(organization=organization, kind=SyncKind.PRESENCE, trigger=SyncRun.Trigger.SCHEDULE,
                             enqueue=False)
        run_execute(run.pk)
        return run.pk

    first = scheduled_poll()  # every user's presence is new: a change, kept in the log
    assert SyncRun.objects.filter(pk=first).exists()
    quiet = [scheduled_poll() for _ in range(3)]
    assert not SyncRun.objects.filter(pk__in=quiet).exists()
    counts = PresenceSettings.objects.get(organization=organization).last_poll_counts
    assert counts["users"] == 5 and not counts.get("changed")
    emu.control("POST", f"/_emulator/presence/{users[0]['id']}", json={"availability": "Away", "activity": "Away"})
    changed = scheduled_poll()
    assert SyncRun.objects.get(pk=changed).counts["changed"] == 1
    body = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert "5 users read, 1 presence change" in body and "Polls that change nothing are not listed" in body
