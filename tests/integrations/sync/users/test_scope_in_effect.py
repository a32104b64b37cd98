"""The page's status line says the scope in effect: a form that was not saved (invalid, or refused by Microsoft
Graph and kept for correcting) never shows its typed scope there as if it applied."""

import pytest
from django.http import QueryDict

from integrations.models import EntraConnection
from integrations.sync.users.models import UserSyncSettings
from pbx_portal.held_change import held_change, refused_change

pytestmark = pytest.mark.django_db
PAGE = "/integrations/entra/user-sync/"
TYPED = {"enabled": "on", "interval_minutes": "5", "scope": "filter", "custom_filter": "department eqq 'Sales'",
         "disabled_accounts": "remove", "numbering": "auto", "range_start": "1000", "range_end": "8999",
         "reserved_numbers": "", "number_attribute": "businessPhones", "number_rule": "last_digits",
         "number_digits": "4", "removal_grace_days": "30", "threshold_percent": "10", "threshold_count": "50"}


@pytest.fixture
def connected(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com",
                                          client_id="00001111-aaaa-2222-bbbb-3333cccc4444",
                                          client_secret="s3cret-value-0123456789abcdefghij", status="connected")


def scope_line(body: str) -> str:
    start = body.index("<p>Scope: <strong>")
    return body[start:body.index("</strong>", start)]


def test_an_invalid_form_leaves_the_scope_line_at_the_saved_scope(admin_client, connected):
    response = admin_client.post(PAGE, {**TYPED, "custom_filter": "department eq 'Sales'", "range_end": "100"})
    body = response.content.decode()
    assert response.status_code == 200 and "Nothing was saved" in body
    assert scope_line(body).endswith("All users")
    assert "department eq &#x27;Sales&#x27;" in body  # the typed filter stays in the form to correct


def test_a_filter_graph_refused_is_not_shown_as_the_scope_in_effect(admin_client, connected, admin_user):
    settings = UserSyncSettings.objects.create(organization=connected.organization)
    cleaned = {"scope": "filter", "custom_filter": TYPED["custom_filter"]}
    held = held_change(cleaned_data=cleaned, form_data=QueryDict(mutable=True), checks=["filter"], actor=admin_user)
    held["form_data"] = {key: [value] for key, value in TYPED.items()}
    settings.pending_change = refused_change(held, field="custom_filter",
                                             message="Microsoft Graph refused the filter: unknown operator 'eqq'.")
    settings.save()

    body = admin_client.get(PAGE).content.decode()
    assert "unknown operator" in body and "the previous settings stay in effect" in body
    assert scope_line(body).endswith("All users")
    assert UserSyncSettings.objects.get(pk=settings.pk).scope == "all"
