"""API keys have scopes (caller-id, caller-id-personal, call-events) and a per-key rate limit; keys made before
scopes existed keep what they could do, and the API keys page says so."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from organizations.models import AuditEntry, OrganizationApiKey
from organizations.services import api_key_create
from tests.helpers.contacts import add_contacts, make_mailbox

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
LOOKUP, EVENTS = "/api/pbx/lookup", "/api/pbx/calls/events"


@pytest.fixture
def alice(organization, extension_factory):
    alice = extension_factory(number="2001", display_name="Alice Andersen")
    add_contacts(make_mailbox(organization, owner=alice), {"displayName": "Alice's Dentist",
                                                           "homePhones": ["312 555 0177"]})
    add_contacts(make_mailbox(organization), {"displayName": "Nina Supplier", "businessPhones": ["+1 312 555 0101"]})
    return alice


def key_with(organization, *scopes):
    return api_key_create(organization=organization, name="PBX", actor=None, scopes=scopes)[1]


def lookup(client, key, **params):
    return client.get(LOOKUP, params, HTTP_AUTHORIZATION=f"Bearer {key}")


def event(client, key):
    return client.post(EVENTS, json.dumps({"extension": "2001", "event": "started", "call_id": "c-1"}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_caller_id_never_reads_personal_contacts_even_with_extension(client, organization, alice):
    key = key_with(organization, "caller-id")
    body = lookup(client, key, number="3125550177", extension="2001").json()
    assert body["found"] is False and body["personal_contacts_checked"] is False
    assert lookup(client, key, number="+13125550101", extension="2001").json()["name"] == "Nina Supplier"


def test_caller_id_personal_adds_the_called_users_own_contacts(client, organization, alice):
    key = key_with(organization, "caller-id-personal")  # brings caller-id with it
    body = lookup(client, key, number="3125550177", extension="2001").json()
    assert (body["found"], body["name"], body["personal_contacts_checked"]) == (True, "Alice's Dentist", True)
    assert OrganizationApiKey.objects.get().scopes == ["caller-id", "caller-id-personal"]


def test_each_endpoint_needs_its_scope(client, organization, alice):
    events_only, caller_id_only = key_with(organization, "call-events"), key_with(organization, "caller-id")
    refused = lookup(client, events_only, number="+13125550101")
    assert refused.status_code == 403 and refused.json()["error"] == "insufficient_scope"
    assert 'scope="caller-id"' in refused["WWW-Authenticate"]
    assert event(client, caller_id_only).status_code == 403
    assert event(client, events_only).status_code == 202


def test_each_key_has_its_own_rate_limit(client, organization, alice, settings):
    settings.API_KEY_RATE_LIMIT = 3
    busy, quiet = key_with(organization, "caller-id"), key_with(organization, "caller-id")
    answers = [lookup(client, busy, number="+13125550101").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = lookup(client, busy, number="+13125550101")
    assert limited["Retry-After"] == "60" and limited.json()["error"] == "rate_limited"
    assert lookup(client, quiet, number="+13125550101").status_code == 200


def test_the_page_creates_keys_with_the_chosen_scopes_and_shows_them(admin_client, organization):
    page = admin_client.get(reverse("organizations:api_keys")).content.decode()
    assert 'value="caller-id" aria-describedby="scope-caller-id-help" checked' in page
    assert 'value="caller-id-personal" aria-describedby="scope-caller-id-personal-help">' in page  # not preselected
    assert "personal address book" in page
    response = admin_client.post(reverse("organizations:api_keys"), {"name": "PBX", "scopes": ["call-events"]})
    assert response.status_code == 200
    assert OrganizationApiKey.objects.get().scopes == ["call-events"]
    assert AuditEntry.objects.get(action="api_key.create").changes["scopes"] == [None, ["call-events"]]
    assert "<code>call-events</code>" in admin_client.get(reverse("organizations:api_keys")).content.decode()


def test_the_page_refuses_a_key_without_scopes(admin_client, organization):
    response = admin_client.post(reverse("organizations:api_keys"), {"name": "PBX"})
    assert response.status_code == 400 and "Choose at least one scope" in response.content.decode()
    bogus = admin_client.post(reverse("organizations:api_keys"), {"name": "PBX", "scopes": ["admin"]})
    assert bogus.status_code == 400 and "Unknown scope: admin" in bogus.content.decode()
    assert not OrganizationApiKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_existing_keys_keep_every_scope_they_had_and_the_page_says_so(organization, admin_client):
    executor = MigrationExecutor(connection)
    before, after = [("organizations", "0003_sign_in_failure_count")], [("organizations", "0004_api_key_scopes")]
    try:
        executor.migrate(before)
        old_model = executor.loader.project_state(before).apps.get_model("organizations", "OrganizationApiKey")
        old_model.objects.create(organization_id=organization.pk, name="Old PBX", prefix="vcpbx_0000abcd",
                                 key_hash="0" * 64)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    key = OrganizationApiKey.objects.get(name="Old PBX")
    assert key.scopes == ["caller-id", "caller-id-personal", "call-events"] and key.legacy_scopes
    page = admin_client.get(reverse("organizations:api_keys")).content.decode()
    assert "Created before scopes existed" in page and "<code>caller-id-personal</code>" in page
