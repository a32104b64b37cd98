"""An address that only takes a form, opened in a browser (reload, back button, bookmark), shows a page that says so
and leads back to its page, not Django's blank 405; machines (JSON APIs, non-HTML clients) keep the plain 405."""

import pytest

pytestmark = pytest.mark.django_db
HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_browser_opening_a_form_address_gets_a_page_that_leads_back(admin_client):
    response = admin_client.get("/integrations/collaboration/contacts/", **HTML)
    body = response.content.decode()
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "Nothing to show at this address" in body and "nothing was changed" in body
    assert 'href="/integrations/collaboration/"' in body
    assert 'aria-label="Main navigation"' in body  # the portal's own shell, with its sidebar


def test_without_a_page_above_it_leads_to_extensions(admin_client):
    body = admin_client.get("/logout/", **HTML).content.decode()
    assert "Nothing to show at this address" in body and 'href="/extensions/"' in body


def test_machines_keep_the_plain_405(admin_client):
    assert admin_client.get("/integrations/collaboration/contacts/").content == b""
    assert admin_client.get("/integrations/collaboration/contacts/", HTTP_ACCEPT="application/json").content == b""
