"""The UC Client directory: GET /api/uc/directory (UC token) and the web page /uc/directory/ (UC session)."""

import pytest

from sso.models import SsoSettings
from sso.uc_session import SESSION_EXTENSION
from tests.helpers.contacts import add_contacts, make_mailbox, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(organization, extension_factory):
    SsoSettings.objects.update_or_create(organization=organization, defaults={"allow_sso_login": True})
    alice = extension_factory(number="2001", display_name="Alice Andersen")
    bob = extension_factory(number="2002", display_name="Bob Baker")
    add_contacts(make_mailbox(organization), {"displayName": "Reception Supplier", "businessPhones": ["+13125550101"]})
    add_contacts(make_mailbox(organization, owner=alice), {"displayName": "Alice's Plumber"})
    add_contacts(make_mailbox(organization, owner=bob), {"displayName": "Bob's Plumber"})
    return alice, bob


def test_api_finds_company_and_own_contacts_never_a_colleagues(client, people):
    alice, _bob = people
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(alice)}"}
    body = client.get("/api/uc/directory", {"q": "plumber"}, **auth).json()
    assert [(r["name"], r["source"]) for r in body["results"]] == [("Alice's Plumber", "personal")]
    body = client.get("/api/uc/directory", {"q": "re"}, **auth).json()
    assert [r["name"] for r in body["results"]] == ["Reception Supplier"]
    body = client.get("/api/uc/directory", {"q": "+1 (312) 555-0101", "page": "x"}, **auth).json()
    assert body["results"][0]["match"] == "number" and body["page"] == 1


def test_api_needs_a_token(client, people):
    assert client.get("/api/uc/directory", {"q": "a"}).status_code == 401
    assert client.get("/api/uc/directory", {"q": "a"}, HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_web_page_with_a_uc_session(client, people):
    _alice, bob = people
    assert client.get("/uc/directory/", {"q": "plumber"}).status_code == 302  # sign in first
    session = client.session
    session[SESSION_EXTENSION] = bob.pk
    session.save()
    page = client.get("/uc/directory/", {"q": "plumber"}).content.decode()
    assert "Bob&#x27;s Plumber" in page and "Alice" not in page.split("<tbody>")[1]
    page = client.get("/uc/directory/", {"q": "<script>"}).content.decode()
    assert "<script>" not in page.split("</form>")[1]
