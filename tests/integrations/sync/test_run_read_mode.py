"""The run page says how the run read Microsoft Graph: a full read or changes only (delta) for scheduled and manual
runs, but not for a single-user lookup, a SCIM day (Entra pushes, nothing is read) or a presence poll."""

import pytest
from django.urls import reverse

from integrations.sync.models import SyncKind, SyncRun

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("kind", "trigger", "full", "said"), [
    (SyncKind.USERS, SyncRun.Trigger.MANUAL, True, "full read"),
    (SyncKind.USERS, SyncRun.Trigger.SCHEDULE, False, "changes only (delta)"),
    (SyncKind.USERS, SyncRun.Trigger.SINGLE_USER, False, "one user read"),
    (SyncKind.USERS, SyncRun.Trigger.SCIM, False, "pushed by Microsoft Entra, nothing read"),
    (SyncKind.PRESENCE, SyncRun.Trigger.SCHEDULE, False, "Teams presence polled"),
])
def test_the_read_mode_is_said_as_it_was(admin_client, organization, kind, trigger, full, said):
    run = SyncRun.objects.create(organization=organization, kind=kind, trigger=trigger, full=full,
                                 status=SyncRun.Status.SUCCEEDED)
    body = admin_client.get(reverse("sync:run", args=[run.pk])).content.decode()
    assert f"· {said}</p>" in body
    if said not in ("changes only (delta)",):
        assert "changes only (delta)" not in body
