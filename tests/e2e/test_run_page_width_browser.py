"""A run's actions fit the window at 1366 px: the long addresses and object ids that Sync this user writes into its
steps wrap inside their cells instead of pushing the Reason column out of sight behind a sideways scroll bar."""

import pytest

from integrations.sync.models import SyncEvent, SyncKind, SyncRun
from tests.helpers.factories import ADMIN_PASSWORD
from tests.helpers.page_checks import horizontal_overflow, scrolling_tables

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

UPN = "bartholomew.featherstonehaugh-worthington@contoso-international.example"
OBJECT_ID = "cd613e30-d8f1-4adf-91b7-584a2265b1f5"


@pytest.fixture
def single_user_run(organization):
    run = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS,
                                 trigger=SyncRun.Trigger.SINGLE_USER, status=SyncRun.Status.SUCCEEDED)
    subject = f"Bartholomew Featherstonehaugh <{UPN}>"
    steps = [f"Looking up “{UPN}” in Microsoft Entra ID (by UPN, then by e-mail)",
             f"Found in Entra: object id {OBJECT_ID}, account enabled, member", "In scope"]
    for reason in steps:
        SyncEvent.objects.create(run=run, organization=organization, action=SyncEvent.Action.STEP, subject=subject,
                                 subject_id=OBJECT_ID, reason=reason)
    SyncEvent.objects.create(run=run, organization=organization, action=SyncEvent.Action.UPDATED, subject=subject,
                             subject_id=OBJECT_ID, number="1231", reason="In scope",
                             before={"email": "b.f@contoso.example", "entra_upn": "b.f@contoso.example"},
                             after={"email": UPN, "entra_upn": UPN})
    return run


@pytest.mark.parametrize("width", [1366, 1920])
def test_the_actions_table_fits_the_window(sign_in, live_server, admin_user, single_user_run, width):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/integrations/sync/runs/{single_user_run.pk}/")
    page.locator("table.events").wait_for()
    assert scrolling_tables(page) == [] and horizontal_overflow(page) == 0
    reason = page.locator("table.events tbody tr").nth(1).locator("td").last
    box, table = reason.bounding_box(), page.locator("table.events").bounding_box()
    assert box["x"] + box["width"] <= table["x"] + table["width"] + 1
    assert box["x"] + box["width"] <= width
