"""Integrations > Microsoft Entra ID > SCIM provisioning in a real browser: the Secret Token shown once, Copy,
rotate, revoke; the tokens work (and stop working) against /scim/v2/ on the live server."""

import pytest
import requests

from tests.helpers.factories import ADMIN_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clipboard_page(browser, live_server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())  # the rotate and revoke confirmations
    yield page
    context.close()


def scim_status(live_server, token: str) -> int:
    return requests.get(f"{live_server.url}/scim/v2/Users", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).status_code


def test_token_shown_once_copy_rotate_revoke(clipboard_page, live_server, admin_user, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    page = clipboard_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/extensions/")
    page.goto(f"{live_server.url}/integrations/entra/")
    page.get_by_role("link", name="SCIM provisioning").click()
    page.wait_for_url(f"{live_server.url}/integrations/entra/scim/")
    assert page.locator("#scim-tenant-url").inner_text() == f"{live_server.url}/scim/v2/"

    page.get_by_role("button", name="Copy the Tenant URL").click()
    page.get_by_role("button", name="Copy the Tenant URL").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/scim/v2/"

    page.get_by_role("button", name="Generate token").click()
    first = page.locator("#scim-new-token").inner_text()
    assert first.startswith("vcscim_")
    page.get_by_role("button", name="Copy the Secret Token").click()
    page.get_by_role("button", name="Copy the Secret Token").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == first
    assert page.locator("#scim-mode").inner_text() == "SCIM push"
    assert scim_status(live_server, first) == 200

    page.goto(f"{live_server.url}/integrations/entra/scim/")  # shown once: never again
    assert page.locator("#scim-new-token").count() == 0 and first not in page.content()
    assert first[:15] in page.locator("#scim-token-status").inner_text()  # the prefix tells tokens apart

    page.get_by_role("button", name="Rotate token").click()
    page.locator(".message-success", has_text="Secret Token rotated").wait_for()
    second = page.locator("#scim-new-token").inner_text()
    assert second != first
    assert scim_status(live_server, first) == 401 and scim_status(live_server, second) == 200

    page.goto(f"{live_server.url}/integrations/entra/scim/")
    page.get_by_role("button", name="Revoke token").click()
    page.locator(".message-success", has_text="Secret Token revoked").wait_for()
    assert scim_status(live_server, second) == 401
    assert page.get_by_role("button", name="Generate token").is_visible()
    history = page.locator("#scim-audit-heading + table").inner_text()
    assert "Secret Token generated" in history and "rotated" in history and "revoked" in history
