"""An admin of one organization can neither see nor change another's data, URL guessing included."""

import pytest
from django.urls import reverse

from extensions.models import Extension
from integrations.models import EntraConnection
from tests.helpers.factories import make_extension

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_extension(other_organization):
    return make_extension(other_organization, number="5555", display_name="Fabrikam Secret Person")


@pytest.fixture
def foreign_connection(other_organization):
    return EntraConnection.objects.create(
        organization=other_organization, tenant_id="fabrikam.example", client_id="1" * 8, client_secret="fab-secret"
    )


def test_list_and_search_show_only_own_extensions(admin_client, extension_factory, foreign_extension):
    extension_factory(number="1001", display_name="Contoso Person")
    for url in (reverse("extensions:list"), reverse("extensions:list") + "?q=Fabrikam",
                reverse("extensions:list") + "?q=5555"):
        body = admin_client.get(url).content.decode()
        assert "Fabrikam Secret Person" not in body
    assert "Contoso Person" in admin_client.get(reverse("extensions:list")).content.decode()


def test_foreign_extension_edit_is_not_found(admin_client, foreign_extension):
    assert admin_client.get(reverse("extensions:edit", args=[foreign_extension.pk])).status_code == 404
    response = admin_client.post(reverse("extensions:edit", args=[foreign_extension.pk]),
                                 {"number": "5556", "display_name": "Hijacked"})
    assert response.status_code == 404
    foreign_extension.refresh_from_db()
    assert (foreign_extension.number, foreign_extension.display_name) == ("5555", "Fabrikam Secret Person")


def test_foreign_extension_status_change_is_not_found(admin_client, foreign_extension):
    response = admin_client.post(reverse("extensions:status", args=[foreign_extension.pk]), {"status": "disabled"})
    assert response.status_code == 404
    foreign_extension.refresh_from_db()
    assert foreign_extension.status == Extension.Status.ACTIVE


def test_create_always_lands_in_own_organization(admin_client, organization, other_organization):
    response = admin_client.post(reverse("extensions:create"), {
        "number": "2001", "display_name": "New Person", "organization": other_organization.pk,
    })
    assert response.status_code == 302
    created = Extension.objects.get(number="2001")
    assert created.organization == organization
    assert not other_organization.extensions.exists()


def test_same_number_is_allowed_in_another_organization(admin_client, foreign_extension, organization):
    response = admin_client.post(reverse("extensions:create"), {"number": "5555", "display_name": "Mine"})
    assert response.status_code == 302
    assert Extension.objects.filter(number="5555").count() == 2


def test_integration_pages_show_only_own_connection(admin_client, foreign_connection):
    for name in ("integrations:entra", "integrations:collaboration"):
        body = admin_client.get(reverse(name)).content.decode()
        assert "fabrikam.example" not in body
        assert "fab-secret" not in body


def test_operator_switch_is_refused_for_admins(admin_client, other_organization, foreign_extension):
    response = admin_client.post(reverse("organizations:switch"), {"organization": other_organization.pk})
    assert response.status_code == 302 and response.url == reverse("extensions:list")  # sent home, no switch
    assert "Fabrikam Secret Person" not in admin_client.get(reverse("extensions:list")).content.decode()


def test_operator_acts_for_the_organization_they_chose(client, django_user_model, organization, foreign_extension,
                                                       other_organization):
    operator = django_user_model.objects.create_superuser("operator", "op@example.com", "Op-Passw0rd!")
    client.force_login(operator)
    assert client.get(reverse("extensions:list")).url == reverse("organizations:choose")
    client.post(reverse("organizations:switch"), {"organization": other_organization.pk})
    assert "Fabrikam Secret Person" in client.get(reverse("extensions:list")).content.decode()


@pytest.mark.parametrize("name", ["extensions:list", "extensions:create", "integrations:entra",
                                  "integrations:collaboration"])
def test_every_page_requires_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_organization_sees_nothing(client, django_user_model, foreign_extension):
    user = django_user_model.objects.create_user("loner", password="Lonely-Passw0rd!")
    client.force_login(user)
    response = client.get(reverse("extensions:list"), follow=True)
    assert response.status_code == 403
    assert "Fabrikam Secret Person" not in response.content.decode()


def test_saving_entra_settings_never_touches_another_organization(admin_client, foreign_connection, organization):
    response = admin_client.post(reverse("integrations:entra"), {
        "tenant_id": "contoso.onmicrosoft.com", "client_id": "00001111-aaaa-2222-bbbb-3333cccc4444",
        "credential_type": "secret", "client_secret": "Contoso~secret-value-0123456789abcdef",
        "feature_user_sync": "on", "organization": foreign_connection.organization_id,
    })
    assert response.status_code == 302
    foreign_connection.refresh_from_db()
    assert (foreign_connection.tenant_id, foreign_connection.client_secret) == ("fabrikam.example", "fab-secret")
    assert EntraConnection.objects.get(organization=organization).tenant_id == "contoso.onmicrosoft.com"


def test_test_connection_only_tests_own_connection(admin_client, foreign_connection):
    response = admin_client.post(reverse("integrations:entra_test"), follow=True)
    assert "Save the Tenant ID" in response.content.decode()
    foreign_connection.refresh_from_db()
    assert foreign_connection.last_tested_at is None


def test_operator_pages_are_refused_for_admins(admin_client):
    response = admin_client.get(reverse("organizations:choose"))
    assert response.status_code == 302 and response.url == reverse("extensions:list")  # home, not a login loop
    assert admin_client.get("/operator/").status_code == 302
