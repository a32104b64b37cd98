"""The live progress that Sync Now and Preview changes show without a reload says what the run is: a preview says
that nothing is applied, and a click while another run is under way says that nothing new was started."""

import pytest
from django.utils import timezone

from extensions.models import Extension
from integrations.sync.models import SyncKind, SyncRun
from tests.helpers.factories import ADMIN_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def finished_head(page):
    """The head line of the run the click showed, once that run has finished."""
    page.wait_for_function("() => { const b = document.querySelector('#run-area .run-progress');"
                           " return b && !['queued', 'running'].includes(b.dataset.runStatus); }", timeout=30_000)
    return page.locator("#run-area .run-progress p").first.inner_text()


def test_preview_progress_says_nothing_is_applied_and_sync_now_does_not(sign_in, live_server, admin_user, connected,
                                                                         organization, background_tasks):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/integrations/entra/user-sync/")

    page.get_by_role("button", name="Preview changes").click()
    head = finished_head(page)
    assert "Preview changes (nothing is applied)" in head and "Succeeded" in head
    assert int(page.locator("#run-area [data-count=created]").inner_text()) > 0
    assert not Extension.objects.filter(organization=organization).exists()

    page.get_by_role("button", name="Sync Now").click()
    page.wait_for_function("() => document.querySelector('#run-area .run-progress p').textContent"
                           ".includes('Sync Now')")
    head = finished_head(page)
    assert "nothing is applied" not in head
    assert page.locator("[data-field=already]").count() == 0


def test_a_click_while_a_run_is_under_way_says_nothing_new_was_started(sign_in, live_server, admin_user, connected,
                                                                        organization, background_tasks):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/integrations/entra/user-sync/")
    running = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.MANUAL,
                                     status=SyncRun.Status.RUNNING, started_at=timezone.now(),
                                     heartbeat_at=timezone.now())

    page.get_by_role("button", name="Preview changes").click()
    already = page.locator("[data-field=already]")
    already.wait_for()
    assert "nothing new was started" in already.inner_text()
    head = page.locator("#run-area .run-progress p").first.inner_text()
    assert f"Run {running.pk} · Sync Now ·" in head and "nothing is applied" not in head
