"""UC sessions end when SSO is switched off; UC pages and API answers are never cached; a reused refresh token
revokes its whole grant."""

import pytest
from django.test import Client

from sso.models import SsoSettings, UcGrant
from sso.native import native_code_issue
from sso.secrets import s256
from sso.services import sso_settings_save, uc_password_set
from sso.uc_session import SESSION_EXTENSION, SESSION_METHOD
from tests.helpers.factories import make_extension
from tests.helpers.urlconf import url_routes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
VERIFIER = "v" * 64
REDIRECT_URI = "vcuc://sso"


@pytest.fixture
def sso_on(organization):
    SsoSettings.objects.create(organization=organization, allow_sso_login=True)
    return organization


@pytest.fixture
def extension(sso_on):
    return make_extension(sso_on, number="1201", email="megan@contoso.example")


def uc_session(client, extension, method):
    session = client.session
    session[SESSION_EXTENSION], session[SESSION_METHOD] = extension.pk, method
    session.save()
    return client


# -- switching SSO off ends the UC web sessions it started ---------------------------------------------------------
def test_switching_sso_off_ends_open_uc_web_sessions_at_their_next_request(client, extension, admin_user):
    uc_session(client, extension, "microsoft")
    assert client.get("/uc/").status_code == 200
    assert client.get("/uc/directory/").status_code == 200
    sso_settings_save(organization=extension.organization, actor=admin_user, allow_sso_login=False)
    assert client.get("/uc/directory/")["Location"] == "/uc/login/"
    assert client.get("/uc/")["Location"] == "/uc/login/"
    assert SESSION_EXTENSION not in client.session
    sso_settings_save(organization=extension.organization, actor=admin_user, allow_sso_login=True)
    assert client.get("/uc/")["Location"] == "/uc/login/"  # ended, not paused


def test_a_pbx_password_session_does_not_depend_on_sso(client, extension, admin_user):
    uc_session(client, extension, "password")
    sso_settings_save(organization=extension.organization, actor=admin_user, allow_sso_login=False)
    assert client.get("/uc/").status_code == 200


# -- never cached ---------------------------------------------------------------------------------------------------
def test_every_uc_page_and_api_answer_is_private_no_store(extension, admin_user):
    uc_password_set(extension=extension, password="Megan-Pbx-Passw0rd", actor=admin_user)
    checked = []
    for route in url_routes(pk=extension.pk):
        if not route.path.startswith(("/uc/", "/api/", "/sso/uc/")):
            continue
        for signed_in in (False, True):
            client = uc_session(Client(), extension, "password") if signed_in else Client()
            for method in ("get", "post"):
                response = getattr(client, method)(route.path, HTTP_AUTHORIZATION="Bearer uca_unknown")
                assert response["Cache-Control"] == "private, no-store", \
                    f"{method.upper()} {route.path} ({response.status_code}): {response.get('Cache-Control')}"
        checked.append(route.path)
    assert {"/uc/", "/uc/directory/", "/uc/login/", "/api/uc/directory", "/api/pbx/lookup", "/api/uc/token",
            "/sso/uc/microsoft/callback/"} <= set(checked)


# -- refresh token rotation with reuse detection (OAuth 2.0 Security BCP) -------------------------------------------
def tokens(client, **form):
    return client.post("/api/uc/token", form)


def signed_in_app(client, extension):
    code = native_code_issue(extension=extension, redirect_uri=REDIRECT_URI, code_challenge=s256(VERIFIER))
    answer = tokens(client, grant_type="authorization_code", code=code, code_verifier=VERIFIER,
                    redirect_uri=REDIRECT_URI)
    assert answer.status_code == 200
    return answer.json()


def me(client, access_token):
    return client.get("/api/uc/me", HTTP_AUTHORIZATION=f"Bearer {access_token}")


def test_a_reused_refresh_token_revokes_the_whole_grant(client, extension):
    first = signed_in_app(client, extension)
    second = tokens(client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert me(client, second["access_token"]).status_code == 200
    stolen = tokens(client, grant_type="refresh_token", refresh_token=first["refresh_token"])  # the old one again
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    assert me(client, second["access_token"]).status_code == 401  # the successor's access token is dead too
    assert tokens(client, grant_type="refresh_token", refresh_token=second["refresh_token"]).status_code == 400
    assert UcGrant.objects.get().revoked_at is not None


def test_an_older_generation_is_detected_too_and_other_grants_are_untouched(client, extension):
    other = signed_in_app(client, extension)  # the same user's second device
    first = signed_in_app(client, extension)
    second = tokens(client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    third = tokens(client, grant_type="refresh_token", refresh_token=second["refresh_token"]).json()
    assert tokens(client, grant_type="refresh_token", refresh_token=first["refresh_token"]).status_code == 400
    assert me(client, third["access_token"]).status_code == 401
    assert me(client, other["access_token"]).status_code == 200


def test_an_unknown_refresh_token_revokes_nothing(client, extension):
    first = signed_in_app(client, extension)
    assert tokens(client, grant_type="refresh_token", refresh_token="ucr_made-up").status_code == 400
    assert me(client, first["access_token"]).status_code == 200
