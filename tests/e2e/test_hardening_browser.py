"""Issue 8 in a real browser: strict CSP holds, Entra form UX, Test Connection without reload, narrow screens,
confirmation before disabling an extension."""

import pytest
from playwright.sync_api import expect

from extensions.models import Extension
from integrations.models import EntraConnection
from tests.helpers.factories import ADMIN_PASSWORD, make_extension

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page):
    seen = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    return seen


def open_entra(page, live_server):
    page.goto(f"{live_server.url}/integrations/entra/")


def test_test_connection_before_the_first_save_looks_disabled_and_says_why(sign_in, live_server, admin_user,
                                                                            csp_violations):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    open_entra(page, live_server)
    test_button = page.locator("#test-button")
    save_button = page.get_by_role("button", name="Save")
    assert test_button.is_disabled()
    style = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).cursor]"
    assert test_button.evaluate(style) != save_button.evaluate(style)
    assert test_button.evaluate(style)[1] == "not-allowed"
    reason = page.locator("#test-disabled-reason")
    assert reason.is_visible() and "Not available yet" in reason.inner_text()
    assert test_button.get_attribute("aria-describedby") == "test-disabled-reason"
    assert csp_violations == []


def test_formats_are_checked_while_typing(sign_in, live_server, admin_user):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    open_entra(page, live_server)
    page.get_by_label("Application (client) ID").fill("my-app")
    assert page.locator("#id_client_id_live").is_visible()
    assert "a GUID like" in page.locator("#id_client_id_live").inner_text()
    page.get_by_label("Application (client) ID").fill("00001111-aaaa-2222-bbbb-3333cccc4444")
    assert page.locator("#id_client_id_live").is_hidden()
    page.get_by_label("Tenant ID").fill("common")
    assert "is not a tenant" in page.locator("#id_tenant_id_live").inner_text()
    page.get_by_label("Client secret (Value)").fill("3f1c2b4a-1111-2222-3333-444455556666")
    assert "Secret ID" in page.locator("#id_client_secret_live").inner_text()
    page.get_by_label("Client secret (Value)").fill("short")
    assert "not a complete client secret" in page.locator("#id_client_secret_live").inner_text()


def test_a_refused_form_says_the_secret_was_not_saved_and_focuses_the_first_error(sign_in, live_server, admin_user):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    open_entra(page, live_server)
    page.get_by_label("Tenant ID").fill("72f988bf-86f1-41af-91ab-2d7cd011db47")
    page.get_by_label("Application (client) ID").fill("not-a-guid")
    page.get_by_label("Client secret (Value)").fill("Pasted~Secret-Value-0123456789abcdefghij")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#secret-not-saved")
    assert "paste it again" in page.locator("#secret-not-saved").inner_text()
    assert page.get_by_label("Client secret (Value)").input_value() == ""
    assert "Pasted~Secret" not in page.content()
    assert page.evaluate("document.activeElement.id") == "id_client_id"


def test_test_connection_shows_results_without_reload_and_jumps_to_the_failure(sign_in, live_server, admin_user,
                                                                               organization, emu, celery_eager,
                                                                               csp_violations):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    open_entra(page, live_server)
    page.get_by_label("Tenant ID").fill(emu.tenant_id)
    page.get_by_label("Application (client) ID").fill(emu.client_id)
    page.get_by_label("Client secret (Value)").fill(emu.client_secret)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#test-form")
    page.evaluate("window.__samePage = true")
    page.get_by_role("button", name="Test Connection").click()
    page.wait_for_selector("#test-state:has-text('Test Connection passed')")
    assert page.evaluate("window.__samePage === true")  # no reload
    assert page.locator("#test-results li.check-ok").count() >= 8
    assert page.locator("#connection-status").inner_text() == "Connected"

    page.get_by_label("Client secret (Value)").fill("Wrong~secret-value-0123456789abcdefghij")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#test-form")
    page.evaluate("window.__samePage = true")
    page.get_by_role("button", name="Test Connection").click()
    page.wait_for_selector("#test-state:has-text('Test Connection failed')")
    assert page.evaluate("window.__samePage === true")
    assert page.evaluate("document.activeElement.dataset.check") == "credentials"
    assert "AADSTS7000215" in page.locator("li[data-check='credentials']").inner_text()
    assert page.content().count("AADSTS7000215") == 1  # said once
    assert page.locator("#connection-status").inner_text().startswith("Error")
    assert EntraConnection.objects.get(organization=organization).test_started_at is None
    assert csp_violations == []


def test_the_extensions_list_fits_a_390px_screen(sign_in, live_server, admin_user, organization):
    for n in range(5):
        make_extension(organization, display_name=f"Employee With A Rather Long Name {n}",
                       email=f"someone.with.a.long.address{n}@contoso-subsidiary.example.com",
                       department="Customer Success and Renewals", job_title="Senior Account Manager")
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("link", name="Add extension").is_visible()


def test_disabling_an_extension_asks_first(sign_in, live_server, admin_user, organization):
    ext = make_extension(organization, number="3001", display_name="Pradeep Gupta")
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Disable extension 3001").click()  # returns once the dialog was answered
    expect(page.get_by_role("button", name="Disable extension 3001")).to_be_visible()  # still on the list
    assert questions == ["Disable extension 3001 (Pradeep Gupta)? Calls to it will stop ringing until it is "
                         "enabled again."]
    ext.refresh_from_db()
    assert ext.status == Extension.Status.ACTIVE

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Disable extension 3001").click()
    page.wait_for_selector("text=Extension 3001 is now disabled.")
    ext.refresh_from_db()
    assert ext.status == Extension.Status.DISABLED
