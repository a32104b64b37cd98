"""Real Chromium: the "Needs approval" panel on User Synchronization, used with the keyboard: counts and names,
a confirmation that names how many extensions, Cancel changes nothing, OK approves."""

import pytest
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.models import SyncEvent, SyncRun
from tests.helpers.factories import ADMIN_PASSWORD, make_admin

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NAMES = ["Adele Vance", "Alex Wilber", "Diego Siciliani", "Grady Archie", "Henrietta Mueller", "Isaiah Langer"]


def test_approve_asks_naming_the_count_and_cancel_changes_nothing(page, live_server, sign_in, organization,
                                                                 monkeypatch):
    monkeypatch.setattr("integrations.sync.tasks.run_sync.delay", lambda *args: None)
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com", client_id="c",
                                   client_secret="s", status=EntraConnection.Status.CONNECTED, feature_user_sync=True)
    waiting = SyncRun.objects.create(organization=organization, kind="users", trigger="schedule",
                                     status=SyncRun.Status.NEEDS_APPROVAL, finished_at=timezone.now(),
                                     counts={"planned_removals": 63, "held_disabled": 61, "held_deleted": 2,
                                             "read": 245})
    SyncEvent.objects.bulk_create([SyncEvent(run=waiting, organization=organization, action="held", subject=name)
                                   for name in NAMES])
    admin = make_admin(organization, "approval-admin")
    sign_in(admin.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/integrations/entra/user-sync/")
    panel = page.get_by_role("region", name="Needs approval")
    text = " ".join(panel.inner_text().split())
    assert "would disable 61 extensions and delete 2 extensions" in text
    assert "Affected: Adele Vance, Alex Wilber, Diego Siciliani, Grady Archie, Henrietta Mueller and 58 more" in text
    assert page.locator("#automatic-sync").is_visible()
    assert page.get_by_role("link", name="Needs approval").is_visible()  # the status line, not the last success

    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    panel.get_by_role("button", name="Approve").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.textContent === 'Approve'")
    assert questions and "61 extensions will be disabled" in questions[0] and "2 extensions will be deleted" in \
        questions[0]
    waiting.refresh_from_db()
    assert waiting.status == SyncRun.Status.NEEDS_APPROVAL  # Cancel: nothing approved

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.keyboard.press("Enter")
    page.get_by_text("Removals approved").wait_for()
    waiting.refresh_from_db()
    follow_up = SyncRun.objects.exclude(pk=waiting.pk).get()
    assert waiting.status == SyncRun.Status.APPROVED and follow_up.options["allow_removals"] == 63
