"""Bad input gets a 400 or a clear message and changes nothing; never a 500. Friendly 403/404/500 pages."""

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from integrations.models import EntraConnection
from organizations.middleware import OPERATOR_SESSION_KEY
from tests.helpers.entra_form import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client, db):
    user = get_user_model().objects.create_superuser("operator", "op@example.com", "Op-Passw0rd-123!")
    client.force_login(user)
    return client


@pytest.mark.parametrize("query", ["%00", "abc%00def", "%00%00"])
def test_search_with_nul_is_a_clear_400(admin_client, extension_factory, query):
    extension_factory(display_name="Alice")
    response = admin_client.get(reverse("extensions:list") + f"?q={query}")
    assert response.status_code == 400
    assert "The request contains a NUL character" in response.content.decode()  # pbx_portal.input_guard


@pytest.mark.parametrize("params", ["sort=drop%20table", "status=%00", "page=abc", "page=-1", "sort=%00&q=x",
                                    "q=" + "a" * 500])
def test_odd_list_parameters_never_500(admin_client, extension_factory, params):
    extension_factory(display_name="Alice")
    response = admin_client.get(reverse("extensions:list") + "?" + params)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("value", ["abc", "", "\x00", "1\x00", "99999999999999999999999", "-1"])
def test_switch_organization_with_bad_input_is_a_400_and_changes_nothing(operator_client, organization, value):
    response = operator_client.post(reverse("organizations:switch"), {"organization": value})
    assert response.status_code == 400
    expected = "The request contains a NUL character" if "\x00" in value else "Choose an organization from the list."
    assert expected in response.content.decode()
    assert OPERATOR_SESSION_KEY not in operator_client.session


def test_switch_organization_without_the_field_is_a_400(operator_client, organization):
    response = operator_client.post(reverse("organizations:switch"), {})
    assert response.status_code == 400


def test_switch_organization_with_a_real_id_works(operator_client, organization):
    response = operator_client.post(reverse("organizations:switch"), {"organization": str(organization.pk)})
    assert response.status_code == 302
    assert operator_client.session[OPERATOR_SESSION_KEY] == organization.pk


def test_choose_organization_sends_an_organization_admin_home_without_a_loop(admin_client):
    response = admin_client.get(reverse("organizations:choose"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("extensions:list")
    assert len(response.redirect_chain) == 1
    assert response.status_code == 200


def test_choose_organization_is_forbidden_for_a_user_without_organization(client, db):
    user = get_user_model().objects.create_user("loner", password="Loner-Passw0rd-1")
    client.force_login(user)
    response = client.get(reverse("organizations:choose"))
    assert response.status_code == 403
    switch = client.post(reverse("organizations:switch"), {"organization": "1"})
    assert switch.status_code == 403


def test_not_found_is_a_friendly_page(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert reverse("extensions:list") in body
    assert "Traceback" not in body and "URLconf" not in body


def test_server_error_is_a_friendly_page():
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/boom/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "Traceback" not in body


def test_entra_secret_is_capped_near_1024_characters(admin_client, organization):
    response = admin_client.post(reverse("integrations:entra"), form_data(client_secret="A" * 100_000))
    assert response.status_code == 200
    assert "at most 1024 characters" in response.content.decode()
    assert not EntraConnection.objects.filter(organization=organization).exists()


def test_entra_secret_of_1024_characters_is_accepted(admin_client, organization):
    response = admin_client.post(reverse("integrations:entra"), form_data(client_secret="A" * 1024))
    assert response.status_code == 302
    assert len(EntraConnection.objects.get(organization=organization).client_secret) == 1024


def test_entra_invalid_credential_type_says_why_next_to_the_field(admin_client, organization):
    response = admin_client.post(reverse("integrations:entra"), form_data(credential_type="password"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="credential-type-errors"' in body
    assert "Select a valid choice. password is not one of the available choices." in body
    assert not EntraConnection.objects.filter(organization=organization).exists()
