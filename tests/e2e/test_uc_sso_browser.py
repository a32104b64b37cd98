"""UC Client "Sign in with Microsoft" in real Chromium: portal -> emulator sign-in page -> portal /uc/."""

import re

import pytest

from extensions.models import Extension
from sso.services import sso_settings_save
from tests.helpers.sso import connect, synced_extension

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(emu, organization, admin_user):
    connect(organization, emu)
    sso_settings_save(organization=organization, actor=admin_user, allow_sso_login=True)
    user = emu.tenant["users"][0]
    return organization, user, synced_extension(organization, user)


def sign_in_with_microsoft(page, live_server, user):
    page.goto(f"{live_server.url}/uc/login/")
    page.get_by_label("Email").fill(user["username"])
    page.get_by_role("button", name="Sign in with Microsoft").click()  # on the first screen
    page.wait_for_url(re.compile(r"^https://127\.0\.0\.1:\d+/.*/oauth2/v2\.0/authorize"))
    assert page.locator("#i0116").input_value() == user["username"]  # login_hint
    page.fill("#i0118", user["password"])
    page.click("#idSIButton9")


def test_synced_user_signs_in_with_microsoft(uc_page, live_server, setup):
    _, user, extension = setup
    sign_in_with_microsoft(uc_page, live_server, user)
    uc_page.wait_for_url(f"{live_server.url}/uc/")
    assert uc_page.locator("#uc-number").inner_text() == extension.number
    assert uc_page.locator("#uc-name").inner_text() == user["display_name"]
    assert uc_page.locator("#uc-email").inner_text() == user["username"]


def test_the_only_organization_needs_no_email(uc_page, live_server, setup):
    _, user, extension = setup
    uc_page.goto(f"{live_server.url}/uc/login/")
    assert "optional" in uc_page.locator("label[for=id_email]").inner_text()
    uc_page.get_by_role("button", name="Sign in with Microsoft").click()
    uc_page.wait_for_url(re.compile(r"^https://127\.0\.0\.1:\d+/.*/oauth2/v2\.0/authorize"))
    uc_page.fill("#i0116", user["username"])
    uc_page.fill("#i0118", user["password"])
    uc_page.click("#idSIButton9")
    uc_page.wait_for_url(f"{live_server.url}/uc/")
    assert uc_page.locator("#uc-number").inner_text() == extension.number


def test_sso_switched_off_shows_the_refusal(uc_page, live_server, setup, admin_user):
    organization, user, _ = setup
    uc_page.goto(f"{live_server.url}/uc/login/")
    uc_page.get_by_label("Email").fill(user["username"])
    uc_page.get_by_role("button", name="Sign in with PBX password").click()
    sso_settings_save(organization=organization, actor=admin_user, allow_sso_login=False)
    uc_page.get_by_role("button", name="Sign in with Microsoft").click()
    assert uc_page.get_by_role("heading", name="Single sign-on is switched off").is_visible()
    assert "Allow SSO Login" in uc_page.locator("#refusal-fix").inner_text()
    uc_page.goto(f"{live_server.url}/uc/login/")
    uc_page.get_by_label("Email").fill(user["username"])
    uc_page.get_by_role("button", name="Sign in with PBX password").click()
    assert uc_page.get_by_role("button", name="Sign in with Microsoft").count() == 0
    assert "not enabled" in uc_page.locator("#sso-unavailable").inner_text()


def test_disabled_extension_is_refused(uc_page, live_server, setup):
    _, user, extension = setup
    Extension.objects.filter(pk=extension.pk).update(status=Extension.Status.DISABLED)
    sign_in_with_microsoft(uc_page, live_server, user)
    uc_page.wait_for_url(re.compile(r".*/sso/uc/microsoft/callback/.*"))
    assert uc_page.get_by_role("heading", name="Your extension is disabled").is_visible()
    assert extension.number in uc_page.locator("#refusal-message").inner_text()
