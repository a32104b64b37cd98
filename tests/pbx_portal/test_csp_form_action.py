"""CSP form-action: the portal itself and the configured Microsoft authority (sign-in forms redirect there)."""

import pytest

pytestmark = pytest.mark.django_db


def test_form_action_allows_only_self_and_the_authority(client, settings):
    settings.MICROSOFT_AUTHORITY_HOST = "https://login.example-authority.test"
    policy = client.get("/login/")["Content-Security-Policy"]
    directive = next(part.strip() for part in policy.split(";") if part.strip().startswith("form-action"))
    assert directive == "form-action 'self' https://login.example-authority.test"
    assert "unsafe-inline" not in policy
