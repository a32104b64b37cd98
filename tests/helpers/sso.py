"""SSO test helpers and fixtures (re-exported by the conftests of the folders that use them): an organization
connected to the emulator (Test Connection run), SSO on, and a driver that walks the whole sign-in (portal ->
emulator sign-in page -> portal callback) with Django's test client."""

import uuid
from urllib.parse import urlsplit

import pytest

from extensions.models import Extension
from integrations.models import EntraConnection
from integrations.services import connection_test_run
from sso.services import sso_settings_save
from tests.helpers.emulator import TrustingSession
from tests.helpers.factories import make_extension
from tests.helpers.html_form import FormParser


@pytest.fixture
def emu(emu, settings):
    settings.PUBLIC_BASE_URL = "http://localhost:8000"  # registered in the emulator's app by default
    return emu


@pytest.fixture
def http(emu):
    with TrustingSession(emu.ca_path) as session:
        yield session


def connect(organization, emu, *, tenant_id=None) -> EntraConnection:
    connection = EntraConnection.objects.create(
        organization=organization, tenant_id=tenant_id or emu.tenant_id, client_id=emu.client_id,
        client_secret=emu.client_secret, status=EntraConnection.Status.UNTESTED)
    outcome = connection_test_run(connection=connection)
    assert outcome.ok, [(c.key, c.message) for c in outcome.checks if c.status == "fail"]
    connection.refresh_from_db()
    return connection


@pytest.fixture
def sso_org(emu, organization, admin_user):
    """Contoso connected to the emulator, Test Connection passed, Allow SSO Login on."""
    connect(organization, emu)
    sso_settings_save(organization=organization, actor=admin_user, allow_sso_login=True)
    return organization


@pytest.fixture
def demo_user(emu):
    return emu.tenant["users"][0]  # username (UPN = mail), password, id, display_name


def synced_extension(organization, user, **fields) -> Extension:
    return make_extension(organization, display_name=user["display_name"], email=user["username"],
                          source=Extension.Source.ENTRA, entra_object_id=uuid.UUID(user["id"]), **fields)


def emulator_sign_in(emu, http, auth_uri, username, password, *, cancel=False):
    """Post the emulator's sign-in form like a browser; returns the redirect back to the portal (a URL)."""
    page = http.get(auth_uri)
    assert page.status_code == 200, page.text[:500]
    form = FormParser()
    form.feed(page.text)
    data = {**form.fields, "loginfmt": username, "passwd": password}
    if cancel:
        data["cancel"] = "Cancel"
    answer = http.post(emu.base_url + form.action, data=data, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:800]
    return answer.headers["Location"]


def portal_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def start_uc_sso(client, email):
    response = client.post("/uc/login/microsoft/", {"email": email})
    return response


def uc_sign_in(client, emu, http, email, username, password, *, cancel=False):
    """The whole web flow; returns (callback URL, the portal's answer to the callback)."""
    start = start_uc_sso(client, email)
    assert start.status_code == 302, start.content.decode()[:800]
    assert start["Location"].startswith(emu.base_url)
    callback = emulator_sign_in(emu, http, start["Location"], username, password, cancel=cancel)
    return callback, client.get(portal_path(callback))
