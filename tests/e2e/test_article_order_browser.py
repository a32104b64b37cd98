"""The help article's order in a real browser: connect, Test Connection, choose scope and numbering, Save, Sync Now.
No extension exists before the administrator switches synchronization on; the page says what will happen."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from extensions.models import Extension
from integrations.sync.dispatch import dispatch_due_syncs
from integrations.sync.models import SyncRun
from tests.helpers.factories import ADMIN_PASSWORD
from tests.helpers.user_sync import directory_users, in_scope_ids

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shots(page, name: str) -> None:
    folder = Path(os.environ.get("PAGE_TOUR_DIR") or "/tmp/pbx-article-shots")
    folder.mkdir(parents=True, exist_ok=True)
    for width in (1366, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def nothing_synchronized(organization) -> None:
    assert not Extension.objects.filter(organization=organization).exists()
    assert not SyncRun.objects.filter(organization=organization).exclude(trigger="preview").exists()


def test_the_article_order_creates_nothing_before_sync_is_switched_on(sign_in, live_server, admin_user, emu,
                                                                     organization, background_tasks):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/integrations/entra/")
    # 1. Connect
    page.get_by_label("Tenant ID").fill(emu.tenant_id)
    page.get_by_label("Application (client) ID").fill(emu.client_id)
    page.get_by_label("Client secret (Value)").fill(emu.client_secret)
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Microsoft Entra ID settings saved.").is_visible()
    assert page.locator("#next-step").is_hidden()
    dispatch_due_syncs(now=timezone.now() + timedelta(hours=1))  # what the beat would do meanwhile
    nothing_synchronized(organization)

    # 2. Test Connection: the page always shows the latest result, without a reload
    page.get_by_role("button", name="Test Connection").click()
    page.wait_for_selector("#test-state:has-text('Test Connection passed')")
    assert page.locator("#next-step").is_visible()
    emu.control("POST", "app/permissions", json={"revoke": ["User.Read.All"]})
    page.get_by_role("button", name="Test Connection").click()
    page.wait_for_selector("#test-state:has-text('Test Connection failed')")
    assert page.locator("#next-step").is_hidden()
    emu.control("POST", "app/permissions", json={"grant": ["User.Read.All"]})
    page.get_by_role("button", name="Test Connection").click()
    page.wait_for_selector("#test-state:has-text('Test Connection passed')")
    shots(page, "article-1-connection")
    nothing_synchronized(organization)

    # 3. Configure: scope and numbering, saved with automatic sync still off
    page.get_by_role("link", name="Set up User Synchronization →").click()
    page.wait_for_url(re.compile(r".*/integrations/entra/user-sync/$"))
    assert page.locator("#automatic-sync").inner_text().startswith("Automatic sync is off")
    page.get_by_label("All users").check()
    page.get_by_label("Range from").fill("3000")
    page.get_by_label("Range to").fill("3999")
    page.get_by_role("button", name="Save").first.click()
    assert page.get_by_text("User Synchronization settings saved.").is_visible()
    dispatch_due_syncs(now=timezone.now() + timedelta(hours=1))
    nothing_synchronized(organization)

    # 4. Switch on and save: the page says when the first automatic run happens; still nothing created
    page.get_by_label("Synchronize users and extensions from Microsoft Entra ID").check()
    page.get_by_role("button", name="Save").first.click()
    announced = page.locator("#automatic-sync").inner_text()
    assert re.search(r"The first automatic run starts at \d\d:\d\d UTC", announced), announced
    nothing_synchronized(organization)
    shots(page, "article-2-user-sync")

    # 5. Sync Now
    page.get_by_role("button", name="Sync Now").click()
    page.locator(".run-progress [data-field=status_label]", has_text="Succeeded").wait_for(timeout=30_000)
    expected = in_scope_ids(emu)
    created = page.locator(".run-progress [data-count=created]").inner_text()
    out_of_scope = page.locator(".run-progress [data-count=out_of_scope]").inner_text()
    read = page.locator(".run-progress [data-count=read]").inner_text()
    assert int(created) == len(expected) and int(read) == len(directory_users(emu)) == int(created) + int(out_of_scope)
    assert {str(e.entra_object_id) for e in Extension.objects.filter(organization=organization)} == expected
    assert page.locator(".counts-explained").is_visible()
    shots(page, "article-3-synced")
