"""Creating an API key, then reloading the page (the browser sends the form again) or sending the same form twice,
makes one key, not two; the page says why and the next form still creates a key."""

import pytest

from organizations.models import OrganizationApiKey
from tests.helpers.factories import ADMIN_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reload_after_creating_a_key_creates_no_second_key(sign_in, live_server, admin_user, organization):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/organizations/api-keys/")
    page.get_by_label("Name").fill("PBX engine")
    page.get_by_role("button", name="Create API key").click()
    page.locator("#new-api-key").wait_for()
    assert OrganizationApiKey.objects.filter(organization=organization).count() == 1

    page.reload()  # Chromium sends the POST again
    page.get_by_text("This form was already sent, so no other key was created").wait_for()
    assert OrganizationApiKey.objects.filter(organization=organization).count() == 1
    assert page.locator("#new-api-key").count() == 0

    page.get_by_label("Name").fill("PBX engine (standby)")
    page.get_by_role("button", name="Create API key").click()
    page.locator("#new-api-key").wait_for()
    assert sorted(OrganizationApiKey.objects.filter(organization=organization).values_list("name", flat=True)) == [
        "PBX engine", "PBX engine (standby)"]
