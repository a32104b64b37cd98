import pytest

from extensions.models import Extension
from tests.helpers.factories import ADMIN_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_creates_extension_and_sees_duplicate_error(sign_in, live_server, admin_user, organization):
    page = sign_in(admin_user.username, ADMIN_PASSWORD)
    assert page.get_by_role("heading", name="Extensions").is_visible()
    assert page.get_by_text("No extensions yet").is_visible()

    page.get_by_role("link", name="Add extension").click()
    page.get_by_label("Extension number").fill("2001")
    page.get_by_label("Display name").fill("Ada Lovelace")
    page.get_by_label("E-mail").fill("ada@contoso.example")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(f"{live_server.url}/extensions/")
    assert page.get_by_text("Extension 2001 (Ada Lovelace) created.").is_visible()
    row = page.get_by_role("row").filter(has_text="Ada Lovelace")
    assert row.get_by_role("cell", name="2001", exact=True).is_visible()
    assert row.get_by_role("cell", name="ada@contoso.example", exact=True).is_visible()

    page.get_by_role("link", name="Add extension").click()
    page.get_by_label("Extension number").fill("2001")
    page.get_by_label("Display name").fill("Someone Else")
    page.get_by_role("button", name="Save").click()

    error = page.get_by_role("alert").filter(has_text="already assigned")
    assert error.first.inner_text() == "Extension 2001 is already assigned to Ada Lovelace. Choose another number."
    assert list(Extension.objects.filter(organization=organization).values_list("display_name", flat=True)) == [
        "Ada Lovelace"
    ]
