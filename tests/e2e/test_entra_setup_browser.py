"""An administrator connects the PBX to the (emulated) Entra tenant in a real browser."""

import pytest

from tests.helpers.factories import ADMIN_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def emu(emu, settings):
    settings.PUBLIC_BASE_URL = "https://pbx.contoso.example"
    return emu


def test_admin_connects_tests_and_sees_wrong_secret(sign_in, live_server, admin_user, emu, celery_eager):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.get_by_role("link", name="Microsoft Entra ID").click()
    page.wait_for_url(f"{live_server.url}/integrations/entra/")
    assert page.locator("#connection-status").inner_text() == "Not configured"
    assert page.locator("#redirect-uri-1").inner_text() == "https://pbx.contoso.example/sso/microsoft/callback/"
    assert page.locator("#redirect-uri-2").inner_text() == "https://pbx.contoso.example/sso/uc/microsoft/callback/"
    assert page.get_by_role("cell", name="Presence.ReadWrite.All", exact=True).is_visible()

    page.get_by_label("Tenant ID").fill(emu.tenant_id)
    page.get_by_label("Application (client) ID").fill(emu.client_id)
    page.get_by_label("Client secret (Value)").fill(emu.client_secret)
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Microsoft Entra ID settings saved.").is_visible()
    assert page.locator("#connection-status").inner_text().startswith("Saved, not tested")

    page.get_by_role("button", name="Test Connection").click()
    page.wait_for_selector("#test-state:has-text('Test Connection passed: every check is green.')")
    results = page.locator("ul.checks li")
    assert results.count() >= 8
    assert page.locator("ul.checks li.check-fail").count() == 0
    assert page.locator("ul.checks li.check-warn").count() == 0
    assert page.locator("li[data-check='credentials']").inner_text().startswith("✓")
    assert page.locator("#connection-status").inner_text() == "Connected"
    assert emu.client_secret not in page.content()
    assert page.get_by_label("Client secret (Value)").input_value() == ""

    page.get_by_label("Client secret (Value)").fill("Wrong~secret-value-0123456789abcdefghij")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Test Connection").click()
    page.wait_for_selector("#test-state:has-text('Test Connection failed')")
    failed = page.locator("li[data-check='credentials']")
    assert "AADSTS7000215" in failed.inner_text()
    assert "Enter the secret's Value, not its Secret ID" in failed.inner_text()
    assert page.locator("#connection-status").inner_text().startswith("Error:")
    assert "Wrong~secret" not in page.content()
    assert emu.client_secret not in page.content()
