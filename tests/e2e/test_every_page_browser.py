"""Every page, admin and UC Client, at 1366 and 1920 px: a screenshot of each (PAGE_TOUR_DIR, or the test's
tmp dir), no horizontal scroll of the page or of a table, every action reachable by keyboard, and no serious or
critical axe-core violation."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.helpers.factories import ADMIN_PASSWORD
from tests.helpers.page_checks import axe_violations, horizontal_overflow, keyboard_unreachable, scrolling_tables
from tests.helpers.showcase import UC_PASSWORD, showcase_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 1920)


def admin_pages(showcase) -> list[tuple[str, str]]:
    return [
        ("extensions", reverse("extensions:list")),
        ("extension-new", reverse("extensions:create")),
        ("extension-edit", reverse("extensions:edit", args=[showcase.manual.pk])),
        ("extension-detail", reverse("extensions:detail", args=[showcase.synced.pk])),
        ("extension-groups", reverse("extensions:groups")),
        ("organization-settings", reverse("organizations:settings")),
        ("api-keys", reverse("organizations:api_keys")),
        ("entra-connection", reverse("integrations:entra")),
        ("user-sync", reverse("user_sync:settings")),
        ("sso", reverse("sso_settings:settings")),
        ("scim", reverse("scim_settings:settings")),
        ("uc-password", reverse("sso:uc_password_set", args=[showcase.synced.pk])),
        ("scim", reverse("scim_settings:settings")),
        ("collaboration", reverse("integrations:collaboration")),
        ("mailboxes", reverse("contacts:mailboxes")),
        ("sync-log", reverse("sync:log")),
        ("sync-run", reverse("sync:run", args=[showcase.run.pk])),
    ]


def uc_pages() -> list[tuple[str, str]]:
    return [("uc-home", reverse("uc:home")), ("uc-directory", reverse("uc_directory:page"))]


def shot_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("PAGE_TOUR_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check(page, name: str, width: int, folder: Path, problems: list[str]) -> None:
    page.wait_for_load_state("load")
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    overflow = horizontal_overflow(page)
    if overflow > 0:
        problems.append(f"{name} at {width} px scrolls sideways by {overflow} px")
    for scroller in scrolling_tables(page):
        problems.append(f"{name} at {width} px: a table scrolls sideways inside {scroller}")
    problems.extend(f"{name} at {width} px: {line}" for line in axe_violations(page))
    problems.extend(f"{name} at {width} px: not reachable by keyboard: {html}" for html in keyboard_unreachable(page))


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_and_passes_axe(browser, live_server, width, tmp_path):
    showcase = showcase_create()
    folder = shot_dir(tmp_path)
    problems: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        for name, path in (("admin-login", reverse("login")), ("uc-login", reverse("uc:login")),
                           ("admin-microsoft-login", reverse("sso:admin_microsoft_login"))):
            page.goto(live_server.url + path)
            check(page, name, width, folder, problems)

        page.goto(live_server.url + reverse("login"))
        page.get_by_label("Username").fill(showcase.admin.username)
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(f"{live_server.url}/extensions/")
        for name, path in admin_pages(showcase):
            response = page.goto(live_server.url + path)
            assert response.ok, f"{name}: HTTP {response.status}"
            check(page, name, width, folder, problems)
        response = page.goto(live_server.url + reverse("extensions:detail", args=[987654321]))
        assert response.status == 404
        check(page, "not-found", width, folder, problems)

        uc = context.browser.new_context(viewport={"width": width, "height": 900})
        uc_page = uc.new_page()
        uc_page.goto(live_server.url + reverse("uc:login"))
        uc_sign_in_with_password(uc_page, showcase.uc_email)
        for name, path in uc_pages():
            response = uc_page.goto(live_server.url + path)
            assert response.ok, f"{name}: HTTP {response.status}"
            check(uc_page, name, width, folder, problems)
        uc.close()
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def uc_sign_in_with_password(page, email: str) -> None:
    email_field = page.get_by_label("Email")
    if email_field.count() and email_field.first.is_editable():
        email_field.first.fill(email)
        page.get_by_role("button", name="Sign in with PBX password").click()
    page.get_by_label("PBX password").fill(UC_PASSWORD)
    page.get_by_role("button", name="Sign in with PBX password").click()
    page.wait_for_url("**/uc/")
