"""Integrations > Microsoft Entra ID: validation, write-only secrets, audit, and nothing saved from a bad form."""


import pytest
from cryptography.hazmat.primitives import hashes
from django.db import connection as db
from django.urls import reverse

from integrations.models import EntraConnection
from organizations.models import AuditEntry
from tests.helpers.certificates import make_certificate
from tests.helpers.entra_form import CLIENT, SECRET, TENANT, form_data

pytestmark = pytest.mark.django_db
URL = reverse("integrations:entra")


def test_page_shows_redirect_uris_and_permissions(admin_client, settings):
    settings.PUBLIC_BASE_URL = "https://pbx.contoso.example"
    body = admin_client.get(URL).content.decode()
    assert "https://pbx.contoso.example/sso/microsoft/callback/" in body
    assert "https://pbx.contoso.example/sso/uc/microsoft/callback/" in body
    for permission in ("User.Read.All", "GroupMember.Read.All", "Contacts.Read", "Presence.Read.All",
                       "Presence.ReadWrite.All", "Application.Read.All"):
        assert permission in body
    assert "Not configured" in body


def test_save_stores_encrypted_secret_and_never_renders_it(admin_client, organization, admin_user):
    response = admin_client.post(URL, form_data())
    assert response.status_code == 302
    conn = EntraConnection.objects.get(organization=organization)
    assert (conn.tenant_id, conn.client_id, conn.client_secret) == (TENANT, CLIENT, SECRET)
    assert conn.status == EntraConnection.Status.UNTESTED
    with db.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM integrations_entraconnection WHERE id = %s", [conn.pk])
        assert SECRET not in cursor.fetchone()[0]
    body = admin_client.get(URL).content.decode()
    assert SECRET not in body
    assert "ending with …789" in body
    entry = AuditEntry.objects.get(action="entra.connection_changed")
    assert entry.actor == admin_user
    assert entry.changes["client_secret"] == ["(changed)", "(changed)"]
    assert SECRET not in str(entry.changes)
    assert entry.changes["tenant_id"] == [None, TENANT]


def test_empty_secret_keeps_the_stored_one(admin_client, organization):
    admin_client.post(URL, form_data())
    response = admin_client.post(URL, form_data(client_secret="", secret_expires_on="2099-01-31"))
    assert response.status_code == 302
    conn = EntraConnection.objects.get(organization=organization)
    assert conn.client_secret == SECRET
    changes = AuditEntry.objects.filter(action="entra.connection_changed").first().changes
    assert changes == {"secret_expires_on": [None, "2099-01-31"]}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("tenant_id", "common", "is not a tenant"),
    ("tenant_id", "not a tenant!", "Enter the Directory (tenant) ID"),
    ("client_id", "my-app", "Enter the Application (client) ID"),
    ("client_secret", "3f1c2b4a-1111-2222-3333-444455556666", "looks like the Secret ID, not the secret"),
    ("client_secret", "short", "not a complete client secret"),
    ("secret_expires_on", "2001-01-01", "the secret has expired"),
])
def test_invalid_input_gets_precise_message_and_saves_nothing(admin_client, organization, field, value, message):
    response = admin_client.post(URL, form_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not EntraConnection.objects.filter(organization=organization).exists()
    assert not AuditEntry.objects.exists()


def test_invalid_change_keeps_previous_settings(admin_client, organization):
    admin_client.post(URL, form_data())
    admin_client.post(URL, form_data(tenant_id="common", client_secret="Zz9Q~a-new-secret-value-0123456789"))
    conn = EntraConnection.objects.get(organization=organization)
    assert (conn.tenant_id, conn.client_secret) == (TENANT, SECRET)


def test_secret_required_on_first_save(admin_client):
    response = admin_client.post(URL, form_data(client_secret=""))
    assert "Enter the client secret Value." in response.content.decode()


def test_verified_domain_is_accepted_as_tenant(admin_client, organization):
    admin_client.post(URL, form_data(tenant_id="Contoso.onmicrosoft.com"))
    assert EntraConnection.objects.get(organization=organization).tenant_id == "contoso.onmicrosoft.com"


def test_certificate_credential_computes_thumbprint_and_hides_key(admin_client, organization):
    key_pem, cert_pem, cert = make_certificate()
    response = admin_client.post(URL, form_data(credential_type="certificate", client_secret="",
                                                certificate_private_key=key_pem, certificate_pem=cert_pem))
    assert response.status_code == 302
    conn = EntraConnection.objects.get(organization=organization)
    assert conn.certificate_thumbprint == cert.fingerprint(hashes.SHA1()).hex().upper()
    assert conn.certificate_expires_at.date() == cert.not_valid_after_utc.date()
    assert conn.client_secret == ""
    body = admin_client.get(URL).content.decode()
    assert "PRIVATE KEY" not in body
    assert conn.certificate_thumbprint in body


def test_certificate_key_mismatch_is_rejected(admin_client, organization):
    key_pem, _, _ = make_certificate()
    _, other_cert_pem, _ = make_certificate()
    response = admin_client.post(URL, form_data(credential_type="certificate", certificate_private_key=key_pem,
                                                certificate_pem=other_cert_pem))
    assert "The private key does not belong to this certificate." in response.content.decode()
    assert not EntraConnection.objects.exists()


def test_expired_certificate_is_rejected(admin_client):
    key_pem, cert_pem, _ = make_certificate(days_valid=-1)
    response = admin_client.post(URL, form_data(credential_type="certificate", certificate_private_key=key_pem,
                                                certificate_pem=cert_pem))
    assert "This certificate expired on" in response.content.decode()


def test_garbage_certificate_is_rejected(admin_client):
    response = admin_client.post(URL, form_data(credential_type="certificate", certificate_private_key="nope",
                                                certificate_pem="nope"))
    assert "This is not a PEM private key" in response.content.decode()


def test_test_connection_requires_saved_settings(admin_client):
    response = admin_client.post(reverse("integrations:entra_test"), follow=True)
    assert "Save the Tenant ID, Client ID and a client secret or certificate first." in response.content.decode()
