"""UC Client sign-in: "Sign in with Microsoft" on the first screen; the email is a hint, not needed with the
organization in the sign-in link or with one organization on the portal. The admin sign-in page offers Sign in
with Microsoft once an administrator has linked a Microsoft account."""

import pytest
from django.urls import reverse

from integrations.models import EntraConnection
from sso.links import sign_in_link_value
from sso.models import AdminMicrosoftLink
from sso.services import sso_settings_save
from tests.helpers.factories import make_organization

pytestmark = pytest.mark.django_db
TENANT = "6babcaad-604b-40ac-a9d7-9fd97c0b779f"


@pytest.fixture
def started(monkeypatch):
    calls = []

    def fake_flow_begin(request, *, connection, login_hint, **kwargs):
        calls.append((connection.organization.slug, login_hint))
        return "https://login.example/authorize"

    monkeypatch.setattr("sso.views_uc.flow_begin", fake_flow_begin)
    return calls


def sso_ready(organization, admin_user, domain="contoso.example"):
    EntraConnection.objects.create(organization=organization, tenant_id=TENANT, client_id=TENANT,
                                   client_secret="s3cret", status="connected", directory_tenant_id=TENANT,
                                   verified_domains=[domain])
    sso_settings_save(organization=organization, actor=admin_user, allow_sso_login=True)


def test_the_first_screen_offers_microsoft_with_the_email_optional(client, organization, admin_user):
    sso_ready(organization, admin_user)
    html = client.get(reverse("uc:login")).content.decode()
    assert f'action="{reverse("uc:sso_start")}"' in html and "Sign in with Microsoft" in html
    assert "(optional)" in html


def test_one_organization_signs_in_without_email(client, organization, admin_user, started):
    sso_ready(organization, admin_user)
    response = client.post(reverse("uc:sso_start"), {"email": "", "org": ""})
    assert response.status_code == 302 and started == [(organization.slug, "")]


def test_the_sign_in_link_names_the_organization(client, organization, admin_user, started):
    sso_ready(organization, admin_user)
    make_organization("Fabrikam", slug="fabrikam")
    link = sign_in_link_value(organization)
    page = client.get(reverse("uc:login"), {"org": link}).content.decode()
    assert f'value="{link}"' in page and "Contoso Ltd" in page
    assert client.post(reverse("uc:sso_start"), {"org": link}).status_code == 302
    assert started == [(organization.slug, "")]


def test_a_guessed_slug_names_no_organization_and_routes_nowhere(client, organization, admin_user, started):
    """Slugs are guessable ("org-1"): a bare or re-signed slug must not show an organization's name or start its
    sign-in; only the link the SSO tab gives does."""
    sso_ready(organization, admin_user)
    make_organization("Fabrikam", slug="fabrikam")
    forged = organization.slug + ":" + sign_in_link_value(organization).split(":")[1][::-1]
    for guess in (organization.slug, forged, "fabrikam:" + sign_in_link_value(organization).split(":")[1]):
        page = client.get(reverse("uc:login"), {"org": guess}).content.decode()
        assert "Contoso Ltd" not in page and "Fabrikam" not in page
        assert client.post(reverse("uc:sso_start"), {"org": guess}).status_code == 400
    assert not started


def test_with_several_organizations_and_no_hint_the_email_is_asked_for(client, organization, admin_user, started):
    sso_ready(organization, admin_user)
    make_organization("Fabrikam")
    response = client.post(reverse("uc:sso_start"), {"email": "", "org": ""})
    assert response.status_code == 400 and "Type your work email" in response.content.decode()
    assert not started
    routed = client.post(reverse("uc:sso_start"), {"email": "ada@contoso.example"})
    assert routed.status_code == 302 and started == [(organization.slug, "ada@contoso.example")]


@pytest.mark.parametrize("org", ["../x", "a" * 200, "<script>", "é"])
def test_a_bad_link_is_a_clear_400(client, organization, admin_user, org):
    sso_ready(organization, admin_user)
    assert client.post(reverse("uc:sso_start"), {"org": org}).status_code == 400
    assert client.get(reverse("uc:login"), {"org": org}).status_code == 200


def test_the_sso_tab_shows_the_sign_in_link(admin_client, organization, settings):
    settings.PUBLIC_BASE_URL = "https://pbx.example"
    html = admin_client.get(reverse("sso_settings:settings")).content.decode()
    link = sign_in_link_value(organization).replace(":", "%3A")
    assert f"https://pbx.example/uc/login/?org={link}" in html


def test_the_admin_sign_in_page_offers_microsoft_once_linked(client, admin_user):
    assert "admin-microsoft-sign-in" not in client.get(reverse("login")).content.decode()
    AdminMicrosoftLink.objects.create(user=admin_user, tenant_id=TENANT, object_id=TENANT)
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("sso:admin_microsoft_login")}" id="admin-microsoft-sign-in"' in html
