"""Extensions: e-mail unique within the organization (SSO matches by e-mail), next free number suggested, blank
e-mails sorted last, and every audited field recorded by name."""

import pytest
from django.urls import reverse

from extensions.models import Extension
from extensions.services import AUDITED_FIELDS
from organizations.models import AuditEntry

pytestmark = pytest.mark.django_db
CREATE = reverse("extensions:create")


def new_extension(**overrides):
    data = {"number": "2001", "display_name": "Megan Bowen", "first_name": "Megan", "last_name": "Bowen",
            "email": "megan@contoso.com", "job_title": "", "department": "", "business_phone": "",
            "mobile_phone": ""}
    data.update(overrides)
    return data


def test_an_email_used_by_another_extension_is_refused_with_its_name(admin_client, extension_factory, organization):
    extension_factory(number="1005", display_name="Adele Vance", email="adele@contoso.com")
    response = admin_client.post(CREATE, new_extension(email="Adele@Contoso.com"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "adele@contoso.com is already used by extension 1005 (Adele Vance)" in body
    assert not Extension.objects.filter(number="2001").exists()


def test_editing_an_extension_keeps_its_own_email(admin_client, extension_factory):
    ext = extension_factory(number="1006", display_name="Alex Wilber", email="alex@contoso.com")
    response = admin_client.post(reverse("extensions:edit", args=[ext.pk]),
                                 new_extension(number="1006", display_name="Alex W.", email="alex@contoso.com"))
    assert response.status_code == 302
    ext.refresh_from_db()
    assert ext.display_name == "Alex W."


def test_editing_to_another_extensions_email_is_refused(admin_client, extension_factory):
    extension_factory(number="1007", display_name="Diego Siciliani", email="diego@contoso.com")
    ext = extension_factory(number="1008", display_name="Grady Archie", email="grady@contoso.com")
    response = admin_client.post(reverse("extensions:edit", args=[ext.pk]),
                                 new_extension(number="1008", display_name="Grady Archie", email="diego@contoso.com"))
    assert "already used by extension 1007 (Diego Siciliani)" in response.content.decode()
    ext.refresh_from_db()
    assert ext.email == "grady@contoso.com"


def test_the_same_email_in_another_organization_is_fine(admin_client, other_organization, extension_factory):
    extension_factory(org=other_organization, number="1009", email="shared@example.com")
    response = admin_client.post(CREATE, new_extension(email="shared@example.com"))
    assert response.status_code == 302


def test_blank_emails_may_repeat(admin_client, extension_factory):
    extension_factory(number="1010", email="")
    response = admin_client.post(CREATE, new_extension(email=""))
    assert response.status_code == 302


def test_the_create_form_suggests_the_next_free_number(admin_client, extension_factory, other_organization):
    extension_factory(number="1001")
    extension_factory(number="1002")
    extension_factory(number="1004")
    extension_factory(org=other_organization, number="1003")
    body = admin_client.get(CREATE).content.decode()
    assert 'name="number" value="1005"' in body
    assert "Next free number: 1005" in body


def test_the_first_extension_is_suggested_a_sensible_number(admin_client):
    assert 'name="number" value="1000"' in admin_client.get(CREATE).content.decode()


@pytest.mark.parametrize("sort", ["email", "-email"])
def test_sorting_by_email_puts_blank_emails_last(admin_client, extension_factory, sort):
    extension_factory(number="1101", display_name="No Mail", email="")
    extension_factory(number="1102", display_name="Bea", email="bea@contoso.com")
    extension_factory(number="1103", display_name="Abe", email="abe@contoso.com")
    page = admin_client.get(reverse("extensions:list") + f"?sort={sort}").context["page"]
    emails = [ext.email for ext in page.object_list]
    assert emails[-1] == ""
    expected = ["abe@contoso.com", "bea@contoso.com"]
    assert emails[:2] == (expected if sort == "email" else expected[::-1])


# Spelled out (not read from the service) so dropping a field from AUDITED_FIELDS fails here.
EDITABLE_AUDITED_FIELDS = ("number", "display_name", "first_name", "last_name", "email", "job_title", "department",
                           "business_phone", "mobile_phone")


def test_every_editable_field_is_audited():
    assert set(EDITABLE_AUDITED_FIELDS) | {"status"} == set(AUDITED_FIELDS)


@pytest.mark.parametrize("field", EDITABLE_AUDITED_FIELDS)
def test_changing_one_audited_field_records_exactly_that_field(admin_client, extension_factory, field):
    ext = extension_factory(number="1201", display_name="Lee Gu", first_name="Lee", last_name="Gu",
                            email="lee@contoso.com", job_title="Engineer", department="R&D",
                            business_phone="+14255550100", mobile_phone="+14255550101")
    data = new_extension(number="1201", display_name="Lee Gu", first_name="Lee", last_name="Gu",
                         email="lee@contoso.com", job_title="Engineer", department="R&D",
                         business_phone="+14255550100", mobile_phone="+14255550101")
    changed = {"number": "1299", "display_name": "Lee Gu Jr", "first_name": "Leo", "last_name": "Guo",
               "email": "leo@contoso.com", "job_title": "Manager", "department": "Sales",
               "business_phone": "+14255550199", "mobile_phone": "+14255550198"}[field]
    data[field] = changed
    response = admin_client.post(reverse("extensions:edit", args=[ext.pk]), data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="extension.updated")
    assert list(entry.changes) == [field]
    assert entry.changes[field][1] == changed


def test_disabling_records_the_status_field(admin_client, extension_factory):
    ext = extension_factory(number="1301")
    admin_client.post(reverse("extensions:status", args=[ext.pk]), {"status": "disabled"})
    entry = AuditEntry.objects.get(action="extension.disabled")
    assert entry.changes == {"status": ["active", "disabled"]}


def test_the_disable_button_asks_for_confirmation(admin_client, extension_factory):
    extension_factory(number="1401", display_name="Nestor Wilke")
    body = admin_client.get(reverse("extensions:list")).content.decode()
    assert 'data-confirm="Disable extension 1401 (Nestor Wilke)?' in body
    assert "js/confirm.js" in body
    assert 'class="table-scroll"' in body
