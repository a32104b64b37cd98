"""The live Test Connection status writes its times in the organization's zone, like the rest of the page."""

import json

import pytest

from integrations.models import EntraConnection
from tests.helpers.factories import ADMIN_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
STARTED = "2026-12-02T08:02:03Z"  # 09:02:03 in Berlin (CET, UTC+1)


def test_a_running_and_a_stale_test_show_local_time(sign_in, live_server, organization, admin_user):
    organization.time_zone = "Europe/Berlin"
    organization.save(update_fields=["time_zone"])
    EntraConnection.objects.create(organization=organization, tenant_id="6babcaad-604b-40ac-a9d7-9fd97c0b779f",
                                   client_id="6babcaad-604b-40ac-a9d7-9fd97c0b779f", client_secret="s3cret")
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/integrations/entra/")

    def answer(body):
        return lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    # The browser talks to the portal only; the answers are fixed here so the running state lasts long enough to read.
    page.route("**/integrations/entra/test/", answer({"running": True, "started_at": STARTED, "checks": []}))
    page.route("**/integrations/entra/test/status/", answer({"running": True, "started_at": STARTED, "checks": []}))
    page.get_by_role("button", name="Test Connection").click()
    page.wait_for_selector("#test-state:has-text('Test running since 09:02:03 CET')")
    # The running marker is drawn, not an emoji a system without an emoji font shows as an empty box.
    marker = page.evaluate("() => { const s = getComputedStyle(document.getElementById('test-state'), '::before');"
                           " return [s.content, s.borderTopStyle, s.animationName]; }")
    assert marker == ['""', "solid", "spin"]

    page.unroute("**/integrations/entra/test/status/")
    page.route("**/integrations/entra/test/status/", answer({"running": False, "stale": True, "started_at": STARTED}))
    page.wait_for_selector("#test-state:has-text('The test started at 09:02:03 CET did not finish')")
