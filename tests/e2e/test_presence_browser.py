"""Real Chromium: a Teams presence change (emulator control API) shows in the admin Extensions list after a poll."""

import re

import pytest

from integrations.graph import clear_clients
from tests.helpers.factories import ADMIN_PASSWORD
from tests.helpers.presence import bind, connect, directory_users, sync_presence

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_extensions_list_shows_teams_presence_with_age(emulator_clean, settings, sign_in, live_server, admin_user,
                                                      organization):
    for name, value in emulator_clean.settings.items():
        setattr(settings, name, value)
    clear_clients()
    connect(emulator_clean, organization)
    user = directory_users(emulator_clean, 1)[0]
    bind(organization, [user], start=2001)
    emulator_clean.control("POST", f"/_emulator/presence/{user['id']}",
                           json={"availability": "DoNotDisturb", "activity": "Presenting"})
    assert sync_presence(organization)["changed"] == 1

    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    row = page.get_by_role("row").filter(has_text="2001")
    badge = row.locator(".presence")
    assert badge.inner_text() == "Do not disturb"
    assert "DoNotDisturb / Presenting" in badge.get_attribute("title")
    assert re.fullmatch(r"less than a minute|\d+\s+minutes?", row.locator(".presence-age").inner_text().strip())
    assert page.get_by_role("columnheader", name="Teams presence").is_visible()
    clear_clients()
