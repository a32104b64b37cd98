"""An administrator sets up user sync in a real browser: scope and numbering, Preview, Sync Now, the log."""

import re

import pytest

from extensions.models import Extension
from integrations.sync.users.models import UserSyncSettings
from tests.helpers.factories import ADMIN_PASSWORD
from tests.helpers.user_sync import directory_users, in_scope_ids

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def start_and_watch(page, button: str, final: str = "Succeeded"):
    """Click Sync Now / Preview changes and watch that new run's live progress until it finishes."""
    runs = page.locator(".run-progress strong")
    before = runs.first.inner_text() if runs.count() else None
    page.get_by_role("button", name=button).click()
    page.wait_for_function("prev => { const n = document.querySelector('.run-progress strong');"
                           " return n && n.textContent !== prev; }", arg=before)
    page.locator(".run-progress [data-field=status_label]", has_text=final).wait_for(timeout=30_000)


def test_configure_preview_sync_and_read_the_log(sign_in, live_server, admin_user, emu, connected, organization,
                                                 background_tasks):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/integrations/entra/")
    page.get_by_role("link", name="Set up User Synchronization →").click()
    page.wait_for_url(re.compile(r".*/integrations/entra/user-sync/$"))

    page.get_by_label("All users").check()
    page.get_by_label("Range from").fill("2000")
    page.get_by_label("Range to").fill("2999")
    page.get_by_label("Reserved numbers (never assigned)").fill("2000-2009")
    page.get_by_role("button", name="Save").first.click()
    assert page.get_by_text("User Synchronization settings saved.").is_visible()

    start_and_watch(page, "Preview changes")
    expected = len(in_scope_ids(emu))
    assert page.locator(".run-progress [data-count=created]").inner_text() == str(expected)
    assert not Extension.objects.filter(organization=organization).exists()  # a preview applies nothing

    start_and_watch(page, "Sync Now")
    assert page.locator(".run-progress [data-count=created]").inner_text() == str(expected)
    numbers = sorted(int(n) for n in Extension.objects.filter(organization=organization).values_list("number",
                                                                                                     flat=True))
    assert numbers[0] == 2010 and numbers[-1] <= 2999

    user = directory_users(emu)[0]
    emu.control("PATCH", f"users/{user['id']}", json={"displayName": "Morgan Renamed", "jobTitle": "Head of QA"})
    start_and_watch(page, "Sync Now")
    assert page.locator(".run-progress [data-count=updated]").inner_text() == "1"

    page.get_by_role("link", name="Sync log").first.click()
    page.get_by_placeholder("Filter by user").fill("Morgan Renamed")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1
    rows.first.get_by_role("link").click()
    event = page.locator("tr.event-updated", has_text="Morgan Renamed")
    assert event.is_visible()
    assert user["displayName"] in event.inner_text() and "Head of QA" in event.inner_text()

    page.goto(f"{live_server.url}/extensions/?q=Morgan")
    row = page.locator("table.data tbody tr").first
    assert "Morgan Renamed" in row.inner_text() and "Entra" in row.inner_text() and "In sync" in row.inner_text()


def test_numbering_preview_shows_the_first_users_without_saving(sign_in, live_server, admin_user, emu, connected,
                                                                organization, background_tasks):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/integrations/entra/user-sync/")
    page.get_by_label("From an Entra attribute").check()
    page.locator("#id_number_attribute").select_option("businessPhones")
    page.get_by_role("button", name="Preview numbers").click()
    table = page.locator("#numbering-preview-result table")
    table.wait_for(timeout=30_000)
    rows = table.locator("tbody tr")
    assert 0 < rows.count() <= 20
    assert page.locator("#numbering-preview-result").get_by_text("users in scope would get a number").is_visible()
    page.locator("#numbers-heading").scroll_into_view_if_needed()
    page.locator("#numbers-heading").locator("xpath=..").screenshot(path="/tmp/numbering-preview-1366.png")
    page.set_viewport_size({"width": 1920, "height": 1000})
    page.locator("#numbers-heading").locator("xpath=..").screenshot(path="/tmp/numbering-preview-1920.png")
    page.get_by_label("N (digits)").fill("3")  # another unsaved value: the answer replaces the table, no reload
    page.get_by_role("button", name="Preview numbers").click()
    page.locator("#numbering-preview-result td.num").first.wait_for(timeout=30_000)
    assert re.fullmatch(r"[1-9]\d\d", page.locator("#numbering-preview-result td.num").first.inner_text())
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator("#numbers-heading").locator("xpath=..").screenshot(path="/tmp/numbering-preview-3-digits.png")
    assert not Extension.objects.filter(organization=organization).exists()
    assert not UserSyncSettings.objects.filter(organization=organization, numbering="attribute").exists()


def test_the_scope_and_numbering_panels_follow_the_chosen_radio(sign_in, live_server, admin_user, emu, connected,
                                                                background_tasks):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/integrations/entra/user-sync/")
    groups, custom = page.locator("[data-scope-panel=groups]"), page.locator("[data-scope-panel=filter]")
    page.get_by_role("radio", name="All users").check()
    assert groups.is_hidden() and custom.is_hidden()
    page.get_by_role("radio", name="Specific groups").check()
    assert groups.is_visible() and custom.is_hidden()
    page.get_by_role("radio", name="Custom filter").check()
    assert groups.is_hidden() and custom.is_visible()
    page.get_by_role("radio", name="From an Entra attribute").check()
    assert page.get_by_label("Range from").is_hidden() and page.get_by_label("N (digits)").is_visible()
    page.get_by_role("radio", name="Automatic, from a range").check()
    assert page.get_by_label("Range from").is_visible() and page.get_by_label("N (digits)").is_hidden()
