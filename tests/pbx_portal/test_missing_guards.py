"""Tests that catch realistic mistakes the suite used to let through."""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.status import connection_badge, credential_banners
from organizations.audit import audit_record
from organizations.middleware import OPERATOR_SESSION_KEY
from tests.helpers.entra_form import form_data
from tests.helpers.factories import make_admin, make_extension
from tests.helpers.urlconf import url_routes

pytestmark = pytest.mark.django_db
ENTRA = reverse("integrations:entra")


def recent_changes_table(client) -> str:
    body = client.get(ENTRA).content.decode()
    start = body.index('id="audit-heading"')
    return body[start:body.index("</table>", start)]


# -- Recent changes: the organization's own entries only ---------------------------------------------------------
def test_recent_changes_show_only_the_organizations_own_entries(admin_client, organization, other_organization):
    audit_record(organization=organization, actor=None, action="entra.connection_changed",
                 changes={"tenant_id": [None, "contoso.example"]})
    audit_record(organization=other_organization, actor=None, action="entra.connection_changed",
                 changes={"feature_presence_writeback": [False, True]})
    audit_record(organization=other_organization, actor=None, action="entra.connection_tested",
                 changes={"result": [None, "failed"]})
    body = recent_changes_table(admin_client)
    assert "Changed Tenant ID" in body
    assert "PBX calls to Teams presence" not in body
    assert "Tested: failed" not in body


def test_recent_changes_use_the_labels_an_admin_knows(admin_client, organization):
    audit_record(organization=organization, actor=None, action="entra.connection_changed",
                 changes={"tenant_id": [None, "t"], "client_id": [None, "c"], "feature_user_sync": [False, True],
                          "client_secret": ["(changed)", "(changed)"]})
    body = recent_changes_table(admin_client)
    assert "Changed Tenant ID, Application (client) ID, Client secret, User and extension provisioning" in body
    assert "feature_user_sync" not in body and "tenant_id, client_id" not in body


# -- Secrets that cannot be decrypted fail loudly ----------------------------------------------------------------
def test_a_secret_the_configured_keys_cannot_decrypt_fails_loudly(organization, settings):
    connection = EntraConnection.objects.create(organization=organization, tenant_id="t", client_id="c",
                                                client_secret="Abc8Q~super.secret-value_xyz")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # a key-rotation mistake
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        EntraConnection.objects.get(pk=connection.pk)


def test_an_undecryptable_secret_never_reads_as_not_configured(admin_client, organization, settings):
    EntraConnection.objects.create(organization=organization, tenant_id="t", client_id="c",
                                   client_secret="Abc8Q~super.secret-value_xyz")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    admin_client.raise_request_exception = False
    response = admin_client.get(ENTRA)
    assert response.status_code == 500
    assert "Not configured" not in response.content.decode()


# -- A refused Entra form never echoes the secret just typed ----------------------------------------------------
@pytest.mark.parametrize("bad", [{"client_id": "not-a-guid"}, {"tenant_id": "common"},
                                 {"credential_type": "password"}, {"secret_expires_on": "2001-01-01"}])
def test_a_refused_entra_form_does_not_contain_the_typed_secret(admin_client, bad):
    typed = "Typed~Secret-Value-0123456789abcdefghij"
    response = admin_client.post(ENTRA, form_data(client_secret=typed, **bad))
    assert response.status_code == 200
    body = response.content.decode()
    assert typed not in body
    assert "The secret you entered was not saved" in body
    assert "paste it again" in body


def test_a_refused_private_key_is_not_echoed_either(admin_client):
    key = "-----BEGIN PRIVATE KEY-----\nTypedKeyMaterial0123456789\n-----END PRIVATE KEY-----"
    response = admin_client.post(ENTRA, form_data(credential_type="certificate", client_secret="",
                                                  certificate_private_key=key, certificate_pem="nope"))
    assert "TypedKeyMaterial0123456789" not in response.content.decode()


# -- Expiry warnings start at exactly 30 days -----------------------------------------------------------------------
@pytest.fixture
def connected(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id="t.example", client_id="c",
                                          client_secret="Abc8Q~super.secret-value_xyz",
                                          status=EntraConnection.Status.CONNECTED)


NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def expiring_in(connection, days):
    connection.graph_secret_expires_at = NOW + datetime.timedelta(days=days)
    return connection


def test_at_31_days_the_badge_says_connected_and_no_banner(connected):
    connection = expiring_in(connected, 31)
    assert connection_badge(connection, now=NOW).short == "Connected"
    assert connection_badge(connection, now=NOW).level == "ok"
    assert credential_banners(connection, now=NOW) == []


def test_at_30_days_badge_and_banner_both_warn(connected):
    connection = expiring_in(connected, 30)
    badge = connection_badge(connection, now=NOW)
    assert (badge.level, badge.short) == ("warn", "Expires in 30d")
    banners = credential_banners(connection, now=NOW)
    assert len(banners) == 1 and banners[0]["level"] == "warn"
    assert "expires in 30 days" in banners[0]["text"]


def test_the_expiry_banner_shows_where_it_helps_with_its_fix(admin_client, connected):
    connected.graph_secret_expires_at = timezone.now() + datetime.timedelta(days=10)  # 10 calendar days at any hour
    connected.save()
    listing = admin_client.get(reverse("extensions:list")).content.decode()
    assert "client credential expires in 10 days" in listing
    assert 'href="/integrations/entra/#id_client_secret">Enter a new client secret</a>' in listing
    assert "client credential expires in" not in admin_client.get(reverse("extensions:create")).content.decode()


def test_a_wrong_secret_is_said_once_on_the_entra_page(admin_client, connected):
    detail = "The client secret is not valid (AADSTS7000215)."
    connected.status, connected.status_detail, connected.syncs_paused = EntraConnection.Status.ERROR, detail, True
    connected.last_test_results = [
        {"key": "authority", "label": "Microsoft Entra reachable, tenant found", "status": "ok", "message": "ok",
         "fix": ""},
        {"key": "credentials", "label": "Credentials accepted", "status": "fail", "message": detail,
         "fix": "Enter the secret's Value, not its Secret ID."}]
    connected.last_tested_at = timezone.now()
    connected.save()
    body = admin_client.get(ENTRA).content.decode()
    assert body.count("AADSTS7000215") == 1
    assert body.index('id="test-results"') < body.index('id="form-heading"')  # results near the top
    listing = admin_client.get(reverse("extensions:list")).content.decode()
    assert "Microsoft Entra syncs are paused" in listing and "Enter a new client secret" in listing


# -- CSRF on every state-changing view ------------------------------------------------------------------------------
# Views that must accept POSTs without a CSRF token (token endpoints for non-browser clients). Add with a reason.
CSRF_EXEMPT_ALLOWED: set[str] = {
    # The PBX calls these with an organization API key (Authorization: Bearer), never with browser cookies.
    "pbx_call_events", "pbx_lookup",
    # Native UC Clients: the code + PKCE verifier or a refresh token authenticates; no cookies are read.
    "uc_token", "uc_revoke",
    # UC Client APIs under the UC access token (Authorization: Bearer), no session.
    "uc_me", "uc_directory_api",
    # Microsoft Entra provisioning (SCIM) with the organization's Secret Token (Authorization: Bearer), no session.
    "scim:service_provider_config", "scim:resource_types", "scim:resource_type", "scim:schemas", "scim:schema",
    "scim:users", "scim:user", "scim:groups", "scim:group", "scim:root", "scim:not_found",
    "scim:search", "scim:users_search", "scim:groups_search",
    # Microsoft Graph POSTs change notifications: each carries the subscription's clientState secret; no cookies.
    "realtime:notifications", "realtime:lifecycle",
}


def _state():
    models = [m for m in apps.get_models() if m._meta.app_label not in ("sessions", "contenttypes")]
    return {m._meta.label: list(m.objects.order_by("pk").values_list("pk", flat=True)) for m in models}


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(organization):
    extension = make_extension(organization, number="1500")
    make_admin(organization, "csrf-admin")
    operator = get_user_model().objects.create_superuser("csrf-operator", "op@example.com", "Op-Passw0rd-123!")
    EntraConnection.objects.create(organization=organization, tenant_id="t.example", client_id="c",
                                   client_secret="Abc8Q~super.secret-value_xyz")
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    session = client.session
    session[OPERATOR_SESSION_KEY] = organization.pk
    session.save()
    before = _state()
    checked = []
    for route in url_routes(pk=extension.pk):
        name, url = route.view_name, route.path
        if getattr(route.callback, "csrf_exempt", False):
            assert name in CSRF_EXEMPT_ALLOWED, f"{url} ({name}) is csrf_exempt"
            continue
        response = client.post(url, {"status": "disabled", "organization": organization.pk, "tenant_id": "x",
                                     "username": "csrf-admin", "password": "wrong", "post": "yes"})
        assert response.status_code == 403, f"POST {url} ({name}) answered {response.status_code} without a token"
        checked.append(url)
    assert _state() == before
    extension.refresh_from_db()
    assert extension.status == "active"
    assert len(checked) > 20  # the walk really covered the portal and the operator console
    assert {"/extensions/", f"/extensions/{extension.pk}/status/", "/integrations/entra/test/",
            "/organizations/switch/", "/logout/", "/login/"} <= set(checked)
