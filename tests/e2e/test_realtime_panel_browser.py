"""The Near real-time updates card in a browser: subscriptions listed, the switch turned off with the keyboard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.realtime.models import RealtimeSwitch, Subscription
from tests.helpers.factories import ADMIN_PASSWORD, make_admin

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_switch_and_the_subscriptions_on_user_synchronization(page, live_server, sign_in, settings, organization,
                                                                  monkeypatch):
    monkeypatch.setattr("integrations.sync.realtime.tasks.maintain.delay", lambda *args: None)
    settings.GRAPH_NOTIFICATION_URL = "https://pbx.example.com"
    admin = make_admin(organization, "realtime-admin")
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com", client_id="c",
                                   client_secret="s", feature_user_sync=True)
    Subscription.objects.create(organization=organization, kind="users", resource="users", status="active",
                                expires_at=timezone.now() + timedelta(days=28), notifications=3,
                                last_notification_at=timezone.now())
    sign_in(admin.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/integrations/entra/user-sync/")
    card = page.locator("#realtime-users")
    switch = card.get_by_label("Near real-time updates")
    assert switch.is_checked()
    assert card.get_by_role("table", name="Microsoft Graph subscriptions").locator("tbody tr").count() == 1
    switch.focus()
    page.keyboard.press("Space")
    assert not switch.is_checked()
    card.get_by_role("button", name="Save").click()
    page.get_by_text("Near real-time updates switched off").wait_for()
    assert RealtimeSwitch.objects.get(organization=organization, kind="users").enabled is False
