"""Real Chromium: Collaboration holds newly chosen shared mailboxes while a worker checks them with Microsoft Graph;
the page turns into Graph's refusal without the admin reloading, keeps the choice, and saves nothing."""

import json
from unittest import mock

import pytest

from contacts.models import ContactSettings, SharedMailbox
from contacts.settings_check import contact_settings_check
from integrations.models import EntraConnection
from tests.helpers.factories import ADMIN_PASSWORD, make_admin

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
RECEPTION = {"id": "5d7c1a2e-0000-4000-8000-000000000001", "name": "Reception", "address": "reception@contoso.com",
             "all_folders": True, "folders": []}
REFUSAL = ("The mailbox “Reception” no longer exists in Microsoft Entra ID or has no Exchange Online mailbox "
           "(HTTP 404 ErrorInvalidUser: The requested user is invalid.). Nothing was saved: remove it, or search "
           "for it again.")


def test_a_refused_mailbox_shows_as_the_forms_error_without_a_reload(page, live_server, sign_in, organization,
                                                                    monkeypatch, tmp_path):
    queued = []
    monkeypatch.setattr("contacts.tasks.check_settings.delay", queued.append)
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com", client_id="c",
                                   client_secret="s", status=EntraConnection.Status.CONNECTED)
    admin = make_admin(organization, "contacts-admin")
    sign_in(admin.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/integrations/collaboration/")
    section = page.locator("#contacts-section")
    section.get_by_label("Shared Mailbox Contacts Synchronization").check()
    # The picker's search needs Graph; the chosen list lives in its hidden field, as the picker leaves it.
    page.evaluate("value => { document.querySelector(\"input[name='shared_mailboxes']\").value = value; }",
                  json.dumps([RECEPTION]))
    section.get_by_role("button", name="Save").click()
    page.get_by_text("Microsoft Graph is checking the chosen shared mailboxes").first.wait_for()
    assert queued == [organization.pk]
    assert not SharedMailbox.objects.exists()

    with mock.patch("contacts.settings_check.mailbox_refusal", return_value=REFUSAL):
        assert contact_settings_check(organization)["status"] == "refused"
    banner = page.locator("[data-contacts-pending=refused]")
    banner.wait_for()  # the page polled, saw the answer and showed it: no reload by the admin
    assert "nothing was saved" in banner.inner_text()
    picker = page.locator("#shared-mailbox-picker")
    assert "The mailbox “Reception” no longer exists" in picker.get_by_role("alert").inner_text()
    assert picker.locator("#picker-chosen li").filter(has_text="Reception").count() == 1  # the choice is kept
    assert section.get_by_label("Shared Mailbox Contacts Synchronization").is_checked()
    assert ContactSettings.objects.get(organization=organization).shared_enabled is False
    discard = banner.get_by_role("button", name="Discard these changes")
    discard.focus()
    page.keyboard.press("Enter")
    page.get_by_text("The change was discarded").wait_for()
    assert not section.get_by_label("Shared Mailbox Contacts Synchronization").is_checked()
    assert page.locator("#picker-chosen li").count() == 0
