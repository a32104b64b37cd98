"""User provisioning's settings and the group cache moved from the sync app to user_sync in Django's state only:
an installation upgraded across the move keeps every row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from integrations.sync.users.models import DirectoryGroup, UserSyncSettings


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it(organization):
    before = [("user_sync", None), ("sync", "0002_directory_groups_filter_preview")]
    after = [("user_sync", "0001_initial")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = executor.loader.project_state([before[1]]).apps
        old.get_model("sync", "UserSyncSettings").objects.create(
            organization_id=organization.pk, scope="groups", groups=[{"id": "g1", "name": "Sales"}], range_start=2000)
        old.get_model("sync", "DirectoryGroup").objects.create(
            organization_id=organization.pk, entra_id="g1", name="Sales", refreshed_at="2026-12-01T00:00:00Z")
        MigrationExecutor(connection).migrate(after)
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    settings = UserSyncSettings.objects.get(organization=organization)
    assert (settings.scope, settings.groups, settings.range_start) == ("groups", [{"id": "g1", "name": "Sales"}], 2000)
    assert DirectoryGroup.objects.get(organization=organization).name == "Sales"
