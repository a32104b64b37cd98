"""The SSO tab, administrators' Sign in with Microsoft, UC password sign-in, rate limits, the OpenAPI file."""

import pytest
from django.core.cache import cache

from integrations.graph.organization import verified_domains_of as verified_domains_from_organization
from organizations.models import AuditEntry
from sso.models import AdminMicrosoftLink, SignInEvent, SsoSettings
from sso.services import sso_settings_save, uc_password_set
from tests.helpers.factories import ADMIN_PASSWORD, make_admin, make_extension
from tests.helpers.sso import emulator_sign_in, portal_path

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_verified_domains_from_organization_shapes():
    body = {"value": [{"id": "t", "verifiedDomains": [{"name": "Contoso.com"}, {"name": "contoso.onmicrosoft.com"},
                                                      {"name": ""}, {"nope": 1}]}]}
    assert verified_domains_from_organization(body) == ["contoso.com", "contoso.onmicrosoft.com"]
    assert verified_domains_from_organization({"id": "t", "verifiedDomains": [{"name": "a.example"}]}) == ["a.example"]
    assert verified_domains_from_organization({}) == []


def test_sso_page_save_is_audited_and_scoped(admin_client, organization, other_organization):
    page = admin_client.get("/integrations/entra/sso/")
    body = page.content.decode()
    assert page.status_code == 200 and "Allow SSO Login" in body and "Try SSO sign-in" in body
    assert "http://localhost:8000/sso/uc/microsoft/callback/" in body
    assert 'data-warning="not_configured"' in body
    assert "<script>" not in body and 'style="' not in body
    response = admin_client.post("/integrations/entra/sso/", {"allow_sso_login": "on"})
    assert response.status_code == 302
    assert SsoSettings.objects.get(organization=organization).allow_sso_login
    assert not SsoSettings.objects.filter(organization=other_organization).exists()
    entry = AuditEntry.objects.get(organization=organization, action="sso.settings_changed")
    assert entry.changes == {"allow_sso_login": [False, True]}


def test_requiring_microsoft_needs_the_admin_linked_first(admin_client, organization):
    response = admin_client.post("/integrations/entra/sso/", {"require_microsoft_for_admins": "on"})
    assert response.status_code == 200 and "Link your own Microsoft account first" in response.content.decode()
    assert not SsoSettings.objects.filter(organization=organization, require_microsoft_for_admins=True).exists()


def test_sso_page_needs_sign_in(client):
    assert client.get("/integrations/entra/sso/")["Location"].startswith("/login/")


def test_sign_in_log_shows_only_own_organization(admin_client, organization, other_organization):
    SignInEvent.objects.create(organization=organization, channel="uc_web", reason="not_linked", email="a@contoso.x")
    SignInEvent.objects.create(organization=other_organization, channel="uc_web", reason="sso_off",
                               email="b@fabrikam.x")
    body = admin_client.get("/integrations/entra/sso/").content.decode()
    assert "a@contoso.x" in body and "b@fabrikam.x" not in body


def test_uc_password_sign_in_and_lockout(client, organization, admin_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    extension = make_extension(organization, email="bob@contoso.example")
    uc_password_set(extension=extension, password="Bob-Pbx-Passw0rd", actor=admin_user)
    for _ in range(3):
        wrong = client.post("/uc/login/password/", {"email": "bob@contoso.example", "password": "nope"})
        assert wrong.status_code == 400
    limited = client.post("/uc/login/password/", {"email": "bob@contoso.example", "password": "Bob-Pbx-Passw0rd"})
    assert limited.status_code == 429 and "Too many failed sign-in attempts" in limited.content.decode()
    ok = client.post("/uc/login/password/", {"email": "bob@contoso.example", "password": "Bob-Pbx-Passw0rd"},
                     REMOTE_ADDR="192.0.2.77")  # from an address that has not failed
    assert ok["Location"] == "/uc/"
    assert extension.number in client.get("/uc/").content.decode()


def test_uc_password_session_key_rotates(client, organization, admin_user):
    extension = make_extension(organization, email="carol@contoso.example")
    uc_password_set(extension=extension, password="Carol-Pbx-Passw0rd", actor=admin_user)
    client.get("/uc/login/")
    before = client.session.session_key
    client.post("/uc/login/password/", {"email": "carol@contoso.example", "password": "Carol-Pbx-Passw0rd"})
    assert client.session.session_key != before


def test_uc_forms_need_csrf(organization):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/uc/login/microsoft/", {"email": "a@contoso.example"}).status_code == 403
    assert strict.post("/uc/login/password/", {"email": "a@contoso.example", "password": "x"}).status_code == 403


def test_token_endpoint_rate_limit(client, settings):
    settings.UC_TOKEN_RATE_LIMIT = {"ip": 3, "account": 10, "window": 60}
    answers = [client.post("/api/uc/token", {"grant_type": "refresh_token", "refresh_token": "ucr_x"}).status_code
               for _ in range(4)]
    assert answers == [400, 400, 400, 429]


def test_token_endpoint_errors(client):
    assert client.post("/api/uc/token", {"grant_type": "password"}).json()["error"] == "unsupported_grant_type"
    assert client.post("/api/uc/token", {"grant_type": "authorization_code"}).json()["error"] == "invalid_request"
    assert client.get("/api/uc/token").status_code == 405
    me = client.get("/api/uc/me")
    assert me.status_code == 401 and "Bearer" in me["WWW-Authenticate"]
    assert client.get("/api/uc/me", HTTP_AUTHORIZATION="Bearer uca_nope").status_code == 401


def test_openapi_is_served():
    import yaml
    from django.test import Client

    response = Client().get("/api/uc/openapi.yaml")
    spec = yaml.safe_load(response.content)
    assert response.status_code == 200 and {"/api/uc/token", "/api/uc/me"} <= set(spec["paths"])


def test_unknown_domain_offers_password_only(client, organization):
    body = client.post("/uc/login/", {"email": "x@unknown.example"}).content.decode()
    assert ">Sign in with Microsoft</button>" not in body and "No organization uses Sign in with Microsoft" in body


# -- administrators: link once, then Sign in with Microsoft --------------------------------------------------------
@pytest.mark.integration
def test_admin_links_then_signs_in_with_microsoft(client, sso_org, emu, http, demo_user, admin_user):
    client.post("/login/", {"username": admin_user.username, "password": ADMIN_PASSWORD})
    start = client.post("/sso/microsoft/link/")
    callback = emulator_sign_in(emu, http, start["Location"], demo_user["username"], demo_user["password"])
    assert callback.startswith("http://localhost:8000/sso/microsoft/callback/?")
    linked = client.get(portal_path(callback))
    assert linked["Location"] == "/integrations/entra/sso/"
    link = AdminMicrosoftLink.objects.get(user=admin_user)
    assert (link.tenant_id, link.object_id) == (emu.tenant_id, demo_user["id"])

    client.post("/logout/")
    start = client.post("/sso/microsoft/login/", {"email": demo_user["username"]})
    callback = emulator_sign_in(emu, http, start["Location"], demo_user["username"], demo_user["password"])
    assert client.get(portal_path(callback))["Location"] == "/extensions/"
    assert client.get("/extensions/").status_code == 200

    # Required for admins: a password sign-in is sent to Sign in with Microsoft.
    sso_settings_save(organization=sso_org, actor=admin_user, require_microsoft_for_admins=True)
    client.post("/logout/")
    client.post("/login/", {"username": admin_user.username, "password": ADMIN_PASSWORD})
    assert client.get("/extensions/")["Location"] == "/sso/microsoft/login/?required=1"
    assert client.get("/extensions/")["Location"].startswith("/login/")  # signed out


@pytest.mark.integration
def test_unlinked_microsoft_account_cannot_sign_in_as_admin(client, sso_org, emu, http, demo_user):
    start = client.post("/sso/microsoft/login/", {"email": demo_user["username"]})
    callback = emulator_sign_in(emu, http, start["Location"], demo_user["username"], demo_user["password"])
    answer = client.get(portal_path(callback))
    assert answer.status_code == 403 and "not linked to a portal administrator" in answer.content.decode()
    assert client.get("/extensions/")["Location"].startswith("/login/")


@pytest.mark.integration
def test_unlinked_admin_of_a_requiring_org_may_only_link(client, sso_org, admin_user):
    other_admin = make_admin(sso_org, "second-admin")
    AdminMicrosoftLink.objects.create(user=admin_user, tenant_id="t", object_id="o")
    sso_settings_save(organization=sso_org, actor=admin_user, require_microsoft_for_admins=True)
    client.post("/login/", {"username": other_admin.username, "password": ADMIN_PASSWORD})
    assert client.get("/extensions/")["Location"] == "/sso/microsoft/link/"
    assert client.get("/sso/microsoft/link/").status_code == 200


def test_aadsts50011_names_the_exact_uri_to_register(settings):
    from integrations.graph.signin import aadsts_code_of
    from sso.refusals import entra_error

    settings.PUBLIC_BASE_URL = "https://pbx.contoso.example"
    code = aadsts_code_of({"error": "invalid_request", "error_description": "AADSTS50011: The redirect URI ..."})
    refusal = entra_error("invalid_request", code)
    assert refusal.aadsts_code == 50011 and refusal.message.startswith("AADSTS50011")
    assert "https://pbx.contoso.example/sso/uc/microsoft/callback/ (trailing slash included)" in refusal.fix
    assert aadsts_code_of({"error": "x", "error_codes": [70008]}) == 70008
    assert aadsts_code_of({"error": "x", "error_uri": "https://login.microsoftonline.com/error?code=65004"}) == 65004
