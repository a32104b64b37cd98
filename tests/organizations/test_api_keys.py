"""Organization API keys: created once in plaintext, stored as a hash, bound to one organization, revocable."""

import hashlib
from datetime import timedelta

import pytest
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone

from organizations.api_keys import api_key_required
from organizations.models import AuditEntry, OrganizationApiKey
from organizations.services import api_key_create, api_key_revoke
from pbx_portal.urls import urlpatterns as portal_urlpatterns
from tests.helpers.factories import make_admin, make_extension

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@api_key_required
def _numbers_view(request):
    """A stand-in PBX endpoint: answers with the calling organization's extension numbers."""
    numbers = sorted(request.organization.extensions.values_list("number", flat=True))
    return JsonResponse({"organization": request.organization.name, "numbers": numbers})


urlpatterns = [*portal_urlpatterns, path("test-api/numbers", _numbers_view)]


def _bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def contoso_key(organization, admin_user):
    return api_key_create(organization=organization, name="PBX", actor=admin_user)


def test_create_stores_only_a_hash_and_audits(organization, admin_user):
    api_key, plaintext = api_key_create(organization=organization, name="  PBX prod  ", actor=admin_user)
    row = OrganizationApiKey.objects.get(pk=api_key.pk)
    assert row.name == "PBX prod"
    assert plaintext.startswith(row.prefix + "_")
    assert row.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(OrganizationApiKey.objects.filter(pk=row.pk).values().get())
    entry = AuditEntry.objects.get(organization=organization, action="api_key.create")
    assert entry.target == "PBX prod" and plaintext not in str(entry.changes)


def test_key_authenticates_and_answers_with_its_own_organization_only(client, organization, other_organization,
                                                                        contoso_key):
    make_extension(organization, number="100")
    make_extension(other_organization, number="900")
    response = client.get("/test-api/numbers", **_bearer(contoso_key[1]))
    assert response.status_code == 200
    assert response.json() == {"organization": organization.name, "numbers": ["100"]}
    contoso_key[0].refresh_from_db()
    assert contoso_key[0].last_used_at is not None


def test_each_organization_key_reaches_only_its_data(client, organization, other_organization, contoso_key):
    make_extension(organization, number="100")
    make_extension(other_organization, number="900")
    _, fabrikam_key = api_key_create(organization=other_organization, name="PBX", actor=None)
    assert client.get("/test-api/numbers", **_bearer(fabrikam_key)).json()["numbers"] == ["900"]
    assert client.get("/test-api/numbers", **_bearer(contoso_key[1])).json()["numbers"] == ["100"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer vcpbx_nope_nope",
                                    "Bearer " + "x" * 5000])
def test_missing_or_bad_key_is_401_json(client, contoso_key, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/test-api/numbers", **extra)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_tampered_key_is_refused(client, contoso_key):
    key = contoso_key[1]
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert client.get("/test-api/numbers", **_bearer(tampered)).status_code == 401


def test_signed_in_session_without_key_is_refused(admin_client):
    """A browser session never stands in for the key (and the endpoint needs no CSRF token)."""
    assert admin_client.get("/test-api/numbers").status_code == 401
    assert admin_client.post("/test-api/numbers").status_code == 401


def test_post_without_csrf_token_is_accepted_with_a_key(contoso_key):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/test-api/numbers", **_bearer(contoso_key[1]))
    assert response.status_code == 200


def test_revoked_key_is_refused_and_revoke_is_audited(client, organization, admin_user, contoso_key):
    api_key, plaintext = contoso_key
    assert api_key_revoke(api_key=api_key, actor=admin_user) is True
    assert api_key_revoke(api_key=api_key, actor=admin_user) is False
    assert client.get("/test-api/numbers", **_bearer(plaintext)).status_code == 401
    assert AuditEntry.objects.filter(organization=organization, action="api_key.revoke").count() == 1


def test_last_used_is_written_at_most_once_a_minute(client, contoso_key, django_assert_num_queries):
    api_key, plaintext = contoso_key
    client.get("/test-api/numbers", **_bearer(plaintext))
    with django_assert_num_queries(2):  # key lookup + the view's own query; no last_used_at write
        client.get("/test-api/numbers", **_bearer(plaintext))
    OrganizationApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    client.get("/test-api/numbers", **_bearer(plaintext))
    api_key.refresh_from_db()
    assert timezone.now() - api_key.last_used_at < timedelta(minutes=1)


# --- the admin page ---

def test_page_creates_a_key_and_shows_it_once(admin_client, organization):
    response = admin_client.post(reverse("organizations:api_keys"), {"name": "PBX call engine",
                                                                     "scopes": ["caller-id", "call-events"]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    row = OrganizationApiKey.objects.get(organization=organization)
    body = response.content.decode()
    start = body.index('id="new-api-key">') + len('id="new-api-key">')
    plaintext = body[start:body.index("</code>", start)]
    assert hashlib.sha256(plaintext.encode()).hexdigest() == row.key_hash
    listing = admin_client.get(reverse("organizations:api_keys")).content.decode()
    assert "PBX call engine" in listing and row.prefix in listing and plaintext not in listing


def test_page_refuses_an_empty_name(admin_client, organization):
    response = admin_client.post(reverse("organizations:api_keys"), {"name": "   "})
    assert response.status_code == 400
    assert "Give the key a name" in response.content.decode()
    assert not OrganizationApiKey.objects.exists()


def test_revoke_asks_for_confirmation_then_revokes(admin_client, contoso_key, client):
    api_key, plaintext = contoso_key
    url = reverse("organizations:api_key_revoke", args=[api_key.pk])
    confirm = admin_client.get(url)
    assert confirm.status_code == 200 and "Revoke key" in confirm.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None
    assert admin_client.post(url).status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert "Revoked" in admin_client.get(reverse("organizations:api_keys")).content.decode()
    assert client.get("/test-api/numbers", **_bearer(plaintext)).status_code == 401


def test_admin_cannot_see_or_revoke_another_organizations_key(admin_client, other_organization):
    foreign, _ = api_key_create(organization=other_organization, name="Fabrikam PBX", actor=None)
    assert "Fabrikam PBX" not in admin_client.get(reverse("organizations:api_keys")).content.decode()
    url = reverse("organizations:api_key_revoke", args=[foreign.pk])
    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_sidebar_links_the_page(admin_client):
    body = admin_client.get(reverse("extensions:list")).content.decode()
    assert reverse("organizations:api_keys") in body


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("organizations:api_keys"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_created_by_another_admin_is_shown(admin_client, organization):
    other_admin = make_admin(organization, "second-admin")
    api_key_create(organization=organization, name="Lab PBX", actor=other_admin)
    assert "second-admin" in admin_client.get(reverse("organizations:api_keys")).content.decode()
