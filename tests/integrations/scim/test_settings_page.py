"""The SCIM provisioning tab: Graph pull or SCIM push (switching warns and deletes nothing), the token shown once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from extensions.models import Extension
from integrations.models import EntraConnection
from integrations.scim.log import TRIGGER
from integrations.scim.mode import SCIM, provisioning_mode_choose
from integrations.scim.models import ScimProvisioning, ScimResource, ScimToken
from integrations.sync.models import SyncRun
from organizations.models import AuditEntry
from tests.helpers.factories import make_extension

pytestmark = pytest.mark.django_db
PAGE = reverse("scim_settings:settings")


@pytest.fixture
def graph_sync(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id="contoso.example", client_id="c" * 36,
                                          client_secret="Abc8Q~super.secret-value_xyz", feature_user_sync=True)


def test_the_page_warns_before_switching_and_refuses_a_token_while_graph_sync_is_on(admin_client, graph_sync):
    body = admin_client.get(PAGE).content.decode()
    assert "Choosing it switches Graph user synchronization off." in body
    assert 'data-confirm="Switch how users are provisioned? Nothing is deleted' in body
    response = admin_client.post(reverse("scim_settings:token_generate"), follow=True)
    assert "No token was generated. Graph user synchronization is switched on" in response.content.decode()
    assert not ScimToken.objects.exists()


def test_switching_to_scim_and_back_deletes_nothing(admin_client, organization, graph_sync):
    make_extension(organization, number="1234", source="entra", entra_upn="a@contoso.example", sync_state="synced")
    response = admin_client.post(reverse("scim_settings:mode"), {"mode": "scim"}, follow=True)
    assert "No extension was changed" in response.content.decode()
    graph_sync.refresh_from_db()
    assert not graph_sync.feature_user_sync and ScimProvisioning.objects.get().enabled
    admin_client.post(reverse("scim_settings:mode"), {"mode": "graph"})
    assert not ScimProvisioning.objects.get().enabled
    assert list(Extension.objects.values_list("number", "status")) == [("1234", "active")]
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["entra.user_sync_changed", "scim.provisioning_changed", "scim.provisioning_changed"]


def test_the_token_is_in_the_generating_response_only(admin_client):
    response = admin_client.post(reverse("scim_settings:token_generate"))
    token = response.context["new_token"]
    assert token.startswith("vcscim_")
    assert token in response.content.decode() and "no-store" in response["Cache-Control"]
    assert token not in admin_client.get(PAGE).content.decode()
    assert ScimToken.objects.get().prefix in admin_client.get(PAGE).content.decode()


def test_another_organizations_admin_cannot_touch_the_token(client, organization, other_organization):
    from integrations.scim.tokens import scim_token_generate
    from tests.helpers.factories import make_admin

    scim_token_generate(organization=organization, actor=None)
    other_admin = make_admin(other_organization, "other-admin")
    client.force_login(other_admin)
    client.post(reverse("scim_settings:token_revoke"))
    assert ScimToken.objects.get(organization=organization).is_active


def test_the_user_sync_page_names_the_choice(admin_client, organization):
    page = reverse("user_sync:settings")
    assert "choose on the <a href=\"/integrations/entra/scim/\">SCIM provisioning</a> tab" in \
        admin_client.get(page).content.decode()
    admin_client.post(reverse("scim_settings:mode"), {"mode": "scim"})
    assert "SCIM provisioning is switched on: Microsoft Entra provisioning pushes the users" in \
        admin_client.get(page).content.decode()


def test_counts_tell_deactivated_users_apart_and_the_log_link_names_its_day(admin_client, organization,
                                                                           other_organization):
    provisioning_mode_choose(organization=organization, mode=SCIM, actor=None)
    for n, active in enumerate([True, True, False, None]):
        document = {"userName": f"u{n}@contoso.example", **({} if active is None else {"active": active})}
        ScimResource.objects.create(organization=organization, kind="User", name_key=f"u{n}@contoso.example",
                                    document=document)
    ScimResource.objects.create(organization=other_organization, kind="User", name_key="x@fabrikam.example",
                                document={"userName": "x@fabrikam.example", "active": False})
    yesterday = SyncRun.objects.create(organization=organization, kind="users", trigger=TRIGGER, status="succeeded")
    SyncRun.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - timedelta(days=1))
    body = " ".join(admin_client.get(PAGE).content.decode().split())
    assert "3 active users (1 more deactivated by Entra) and 0 groups provisioned" in body
    assert "today's provisioning log" not in body
    assert "the last provisioning log, " in body
    SyncRun.objects.create(organization=organization, kind="users", trigger=TRIGGER, status="succeeded")
    assert "today's provisioning log" in admin_client.get(PAGE).content.decode()
