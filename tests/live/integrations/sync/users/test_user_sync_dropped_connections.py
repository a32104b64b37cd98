"""A 5,000-user full sync survives a connection the server cuts mid-run; a run that gives up removes nothing."""

import pytest

from emulator.pytest_plugin import EmulatorHandle, start_emulator
from extensions.models import Extension
from integrations.graph import clear_clients
from integrations.models import EntraConnection
from integrations.sync.models import SyncKind, SyncRun
from integrations.sync.runs import run_execute, run_request
from tests.helpers.user_sync import active_synced, in_scope_ids, removal_events

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
USERS = 5000
NEXT_PAGES = r"^/v1\.0/users\?.*skiptoken"  # every page after the first of the full read (999 users each)


@pytest.fixture(scope="module")
def big_emulator(tmp_path_factory):
    server = start_emulator(tmp_path_factory.mktemp("users-5000"), users=USERS, groups=1, seed=5, shared_contacts=0)
    handle = EmulatorHandle(server)
    yield handle
    handle.close()
    server.stop()


@pytest.fixture
def emu(big_emulator, settings):
    big_emulator.reset()
    for name, value in big_emulator.settings.items():
        setattr(settings, name, value)
    clear_clients()
    yield big_emulator
    clear_clients()


@pytest.fixture
def sync(emu, organization):
    EntraConnection.objects.create(organization=organization, tenant_id=emu.tenant_id, client_id=emu.client_id,
                                   client_secret=emu.client_secret, status=EntraConnection.Status.CONNECTED)

    def run_sync(full=True):
        run, _ = run_request(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.COMMAND,
                             full=full, enqueue=False)
        run_execute(run.pk)
        run.refresh_from_db()
        return run

    return run_sync


@pytest.mark.parametrize("kind", ["drop", "reset"])
def test_a_connection_cut_in_the_middle_of_a_full_sync_is_survived(emu, sync, organization, kind):
    # The second of six pages: "drop" cuts its answer halfway through the body, "reset" closes the connection
    # before any answer.
    emu.control("POST", "faults", json={"kind": kind, "path": NEXT_PAGES, "count": 1})
    emu.control("DELETE", "requests")
    run = sync()
    assert run.status == "succeeded", run.error
    assert emu.control("GET", "faults")["faults"][0]["fired"] == 1
    assert emu.request_counts()["by_route"]["GET /v1.0/users"] == 6 + 1  # six pages, one of them sent twice
    expected = in_scope_ids(emu)
    assert len(expected) > 4000
    assert set(active_synced(organization)) == expected
    assert run.counts["created"] == len(expected) and run.counts["read"] == USERS


def test_a_run_that_gives_up_on_dropped_connections_removes_nothing(emu, sync, organization):
    assert sync().status == "succeeded"
    before = set(active_synced(organization))
    leavers = sorted(before)[:20]
    for user_id in leavers:
        emu.control("POST", f"users/{user_id}/soft-delete")
    emu.control("POST", "faults", json={"kind": "drop", "path": NEXT_PAGES, "count": 3})  # 3 tries, all cut
    run = sync()
    assert run.status == "failed" and "Nothing was removed" in run.error
    assert set(active_synced(organization)) == before
    assert not removal_events(run)
    assert Extension.objects.filter(organization=organization, sync_state="removed").count() == 0
    emu.control("DELETE", "faults")
    run = sync()
    assert run.status == "succeeded" and run.counts["disabled"] == 20
    assert set(active_synced(organization)) == before - set(leavers)
