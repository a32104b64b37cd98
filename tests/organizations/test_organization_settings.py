"""Organization settings: the default region phone numbers without a country code are read in."""

import pytest
from django.urls import reverse

from organizations.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = reverse("organizations:settings")


def test_the_admin_sets_the_default_region_and_numbers_read_in_it(admin_client, organization, admin_user):
    page = admin_client.get(URL).content.decode()
    assert "Default region for phone numbers" in page and "Germany (DE, +49)" in page
    assert admin_client.post(URL, {"default_region": "DE"}).status_code == 302
    organization.refresh_from_db()
    assert organization.default_region == "DE"
    entry = AuditEntry.objects.get(organization=organization, action="organization.settings_changed")
    assert entry.changes == {"default_region": ["US", "DE"]} and entry.actor == admin_user
    form = admin_client.post(reverse("extensions:create"), {"number": "2001", "display_name": "Ada",
                                                            "business_phone": "030 901820", "status": "active"})
    assert form.status_code == 302, form.content.decode()[:2000]


@pytest.mark.parametrize("value", ["XX", "", "de; drop", "\u00c4\u00c4"])
def test_an_unknown_region_is_refused_and_nothing_changes(admin_client, organization, value):
    response = admin_client.post(URL, {"default_region": value})
    assert (response.status_code == 400 and "Choose a region from the list." in response.content.decode()) or \
        response.status_code == 400
    organization.refresh_from_db()
    assert organization.default_region == "US"


def test_another_organizations_admin_changes_only_their_own(client, organization, other_organization):
    from tests.helpers.factories import make_admin

    client.force_login(make_admin(other_organization, "fabrikam-admin"))
    client.post(URL, {"default_region": "GB"})
    organization.refresh_from_db()
    other_organization.refresh_from_db()
    assert (organization.default_region, other_organization.default_region) == ("US", "GB")
