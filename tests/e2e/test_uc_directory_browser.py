"""The web UC Client's directory in real Chromium, signed in with Microsoft (the emulator's sign-in page).

Contacts come from a real contacts sync cycle (sync_contacts) against the emulator's mailboxes, and presence
from a real presence poll (sync_presence) after a change made in "Teams" through the emulator's control API.
"""

import re

import pytest

from contacts.models import Contact, ContactSettings
from integrations.models import EntraConnection
from presence.models import PresenceSettings
from sso.services import sso_settings_save
from tests.e2e.test_uc_sso_browser import sign_in_with_microsoft
from tests.helpers.contact_sync import share_reception
from tests.helpers.contact_sync import sync as sync_contacts
from tests.helpers.presence import sync_presence
from tests.helpers.sso import connect, synced_extension

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office(emu, organization, admin_user):
    """Contoso connected (Test Connection passed), SSO on, contacts and presence switched on; two synced users."""
    connect(organization, emu)
    EntraConnection.objects.filter(organization=organization).update(feature_contacts=True, feature_presence=True)
    sso_settings_save(organization=organization, actor=admin_user, allow_sso_login=True)
    me, colleague = emu.tenant["users"][:2]
    return {"me": me, "colleague": colleague,
            "my_extension": synced_extension(organization, me, number="2001"),
            "colleague_extension": synced_extension(organization, colleague, number="2002")}


def search(page, live_server, query):
    page.goto(f"{live_server.url}/uc/directory/")
    page.get_by_label("Search the directory").fill(query)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/uc/directory/?q=*")
    rows = page.locator("tr.directory-entry")
    return {rows.nth(i).locator("td").first.inner_text(): rows.nth(i) for i in range(rows.count())}


def test_directory_finds_shared_and_own_contacts_never_a_colleagues(uc_page, live_server, emu, organization,
                                                                   office):
    ContactSettings.objects.create(organization=organization, personal_enabled=True, shared_enabled=True)
    reception = share_reception(emu, organization)
    emu.control("POST", f"mailboxes/{reception.mailbox_id}/contacts",
                {"givenName": "Priya", "surname": "Plumbline", "companyName": "Fabrikam Plumbing",
                 "businessPhones": ["+1 312 555 0142"]})
    emu.control("POST", f"mailboxes/{office['me']['id']}/contacts",
                {"givenName": "Petra", "surname": "Plumbwell", "mobilePhone": "+1 312 555 0143"})
    emu.control("POST", f"mailboxes/{office['colleague']['id']}/contacts",
                {"givenName": "Paul", "surname": "Plumbridge", "mobilePhone": "+1 312 555 0144"})
    result = sync_contacts(organization)
    assert result["status"] == "succeeded" and result["mailboxes"] == 3, result
    # The colleague's contact was synced (for the colleague), so hiding it below is the directory's doing.
    assert Contact.objects.filter(owner=office["colleague_extension"], display_name="Paul Plumbridge").exists()

    sign_in_with_microsoft(uc_page, live_server, office["me"])
    uc_page.wait_for_url(f"{live_server.url}/uc/")
    found = search(uc_page, live_server, "plumb")
    assert set(found) == {"Priya Plumbline", "Petra Plumbwell"}
    assert found["Priya Plumbline"].get_attribute("data-source") == "company"
    assert "Company contact" in found["Priya Plumbline"].inner_text()
    assert "Fabrikam Plumbing" in found["Priya Plumbline"].inner_text()
    assert found["Petra Plumbwell"].get_attribute("data-source") == "personal"
    assert "My contact" in found["Petra Plumbwell"].inner_text()
    assert "Paul Plumbridge" not in uc_page.content()
    # By number, in another format than stored: the shared-mailbox contact ranks as an exact match.
    found = search(uc_page, live_server, "(312) 555-0142")
    assert list(found)[:1] == ["Priya Plumbline"]
    assert list(search(uc_page, live_server, "312 555 0144")) == []  # the colleague's contact, by number


def test_directory_shows_a_colleagues_teams_presence(uc_page, live_server, emu, organization, office):
    PresenceSettings.objects.create(organization=organization, direction=PresenceSettings.Direction.TEAMS_TO_PBX)
    colleague = office["colleague"]
    emu.control("POST", f"/_emulator/presence/{colleague['id']}", json={"availability": "DoNotDisturb",
                                                                        "activity": "Presenting"})
    result = sync_presence(organization)
    assert result["status"] == "succeeded" and result["changed"] >= 1, result

    sign_in_with_microsoft(uc_page, live_server, office["me"])
    uc_page.wait_for_url(f"{live_server.url}/uc/")
    found = search(uc_page, live_server, colleague["display_name"])
    row = found[colleague["display_name"]]
    badge = row.locator(".presence")
    assert badge.inner_text() == "Do not disturb"
    assert "DoNotDisturb / Presenting" in badge.get_attribute("title")
    assert re.fullmatch(r"less than a minute|\d+\s+minutes?", row.locator(".presence-age").inner_text().strip())
    assert uc_page.get_by_role("columnheader", name="Teams presence").is_visible()
