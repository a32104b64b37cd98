"""The SCIM Secret Token: shown once, hashed at rest, rotated and revoked with audit entries; the command; the
token identifies the organization; Graph pull and SCIM push exclude each other."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from integrations.models import EntraConnection
from integrations.scim.models import ScimProvisioning, ScimToken
from integrations.scim.tokens import Refused, scim_token_authenticate, scim_token_generate, scim_token_revoke
from integrations.sync.users.forms import UserSyncSettingsForm
from integrations.sync.users.services import user_sync_settings_for
from organizations.models import AuditEntry
from tests.helpers.scim_endpoint import ScimClient, scim_user

pytestmark = pytest.mark.django_db


def graph_sync_on(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id="contoso.example", client_id="c" * 36,
                                          client_secret="Abc8Q~super.secret-value_xyz", feature_user_sync=True)


def test_a_token_is_stored_as_its_hash_only_and_switches_scim_on(organization):
    token, plaintext = scim_token_generate(organization=organization, actor=None)
    assert plaintext.startswith("vcscim_") and len(plaintext) > 50
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(list(ScimToken.objects.values()))
    assert ScimProvisioning.objects.get(organization=organization).enabled
    assert scim_token_authenticate(plaintext) == token
    assert scim_token_authenticate(plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None


def test_rotate_and_revoke_are_audited_and_old_tokens_stop_working(organization):
    _, first = scim_token_generate(organization=organization, actor=None)
    _, second = scim_token_generate(organization=organization, actor=None)
    assert scim_token_authenticate(first) is None and scim_token_authenticate(second) is not None
    assert scim_token_revoke(organization=organization, actor=None)
    assert scim_token_authenticate(second) is None
    assert not scim_token_revoke(organization=organization, actor=None)
    actions = list(AuditEntry.objects.filter(organization=organization, action__startswith="scim.token")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["scim.token_created", "scim.token_rotated", "scim.token_revoked"]


def test_a_revoked_token_gets_401_as_a_scim_error(organization):
    client = ScimClient(organization)
    assert client.get("/Users").status_code == 200
    scim_token_revoke(organization=organization, actor=None)
    response = client.get("/Users")
    assert response.status_code == 401
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_command_prints_the_token_once_as_its_last_line(organization, capsys):
    call_command("scim_token", organization.name)
    lines = capsys.readouterr().out.strip().splitlines()
    token = scim_token_authenticate(lines[-1])
    assert token is not None and token.organization == organization
    assert sum(lines[-1] in line for line in lines) == 1


def test_both_refuse_while_graph_user_sync_is_on(organization):
    graph_sync_on(organization)
    with pytest.raises(Refused, match="Graph user synchronization is switched on"):
        scim_token_generate(organization=organization, actor=None)
    with pytest.raises(CommandError, match="No token was made"):
        call_command("scim_token", organization.name)
    assert not ScimToken.objects.exists()
    assert not ScimProvisioning.objects.filter(enabled=True).exists()


def test_graph_user_sync_cannot_be_switched_on_while_scim_is(organization):
    scim_token_generate(organization=organization, actor=None)
    settings = user_sync_settings_for(organization)
    form = UserSyncSettingsForm({"enabled": "on", "scope": "all", "disabled_accounts": "remove", "numbering": "auto",
                                 "range_start": 1000, "range_end": 8999, "number_attribute": "businessPhones",
                                 "number_rule": "last_digits", "number_digits": 4, "removal_grace_days": 30,
                                 "threshold_percent": 10, "threshold_count": 50, "interval_minutes": 5},
                                instance=settings, organization=organization, enabled=False, interval_minutes=5)
    assert not form.is_valid()
    assert "SCIM provisioning is switched on" in form.errors["enabled"][0]


def test_the_token_identifies_the_organization(organization, other_organization):
    ours, theirs = ScimClient(organization), ScimClient(other_organization)
    created = ours.post("/Users", scim_user("alex@contoso.example")).json()
    assert theirs.get(f"/Users/{created['id']}").status_code == 404
    assert theirs.get("/Users", {"filter": 'userName eq "alex@contoso.example"'}).json()["totalResults"] == 0
    assert theirs.delete(f"/Users/{created['id']}").status_code == 404
    assert ours.get(f"/Users/{created['id']}").status_code == 200
