"""A Test Connection run on the page lists itself under Recent changes when it ends, without a reload (the status,
checks and badges already changed live while the list kept showing the entries from before the test)."""

import pytest

from tests.helpers.factories import ADMIN_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_finished_test_appears_under_recent_changes(sign_in, live_server, admin_user, connected,
                                                       background_tasks):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/integrations/entra/")
    recent = page.locator("section[aria-labelledby=audit-heading]")
    assert recent.count() == 0 or "Tested: passed" not in recent.inner_text()

    page.get_by_role("button", name="Test Connection").click()
    page.wait_for_selector("#test-state:has-text('Test Connection passed')", timeout=60_000)
    page.wait_for_selector("section[aria-labelledby=audit-heading] td:has-text('Tested: passed')")
    assert page.locator("section[aria-labelledby=audit-heading]").count() == 1
