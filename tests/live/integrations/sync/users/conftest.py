"""Fixtures for user sync against the emulator: a connected organization and a way to run syncs."""

import pytest

from integrations.models import EntraConnection
from integrations.sync.models import SyncKind, SyncRun
from integrations.sync.runs import run_execute, run_request
from tests.helpers.user_sync import assert_counts_add_up


@pytest.fixture
def connection(emu, organization):
    return EntraConnection.objects.create(
        organization=organization, tenant_id=emu.tenant_id, client_id=emu.client_id,
        client_secret=emu.client_secret, status=EntraConnection.Status.CONNECTED, feature_user_sync=True,
    )


@pytest.fixture
def sync(connection):
    """Run one user sync in the foreground; returns the finished run."""

    def run_sync(*, full=False, dry_run=False, trigger=SyncRun.Trigger.COMMAND, options=None):
        run, created = run_request(organization=connection.organization, kind=SyncKind.USERS, trigger=trigger,
                                   full=full, dry_run=dry_run, options=options, enqueue=False)
        assert created, f"a run is already active: {run}"
        run_execute(run.pk)
        run.refresh_from_db()
        if run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.NEEDS_APPROVAL):
            assert_counts_add_up(run)
        return run

    return run_sync
