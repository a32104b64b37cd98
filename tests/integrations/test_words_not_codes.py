"""Every code an admin reads is in words: the sync log's counts, the sign-in log's reasons, the audit lists."""

import pytest

from integrations.models import EntraConnection
from integrations.sync.models import SyncRun
from organizations.audit import audit_record
from sso.models import SignInEvent

pytestmark = pytest.mark.django_db
CODES = ("removals_held", "contacts_created", "not_linked", "signed_in", "custom_filter", "interval_minutes",
         "out_of_scope", "bound_by_email")


def test_the_sync_log_counts_are_words(admin_client, organization):
    SyncRun.objects.create(organization=organization, kind="users", trigger="schedule", status="needs_approval",
                           counts={"read": 40, "out_of_scope": 30, "removals_held": 30, "planned_removals": 30})
    SyncRun.objects.create(organization=organization, kind="contacts", trigger="schedule", status="succeeded",
                           counts={"contacts_created": 12})
    body = admin_client.get("/integrations/sync/log/?kind=").content.decode()
    assert "removals waiting for approval 30" in body and "out of scope 30" in body
    assert "contacts created 12" in body
    assert not any(code in body for code in CODES)


def test_the_sign_in_log_reasons_are_words(admin_client, organization):
    for reason, succeeded in (("not_linked", False), ("signed_in", True), ("bound_by_email", True)):
        SignInEvent.objects.create(organization=organization, channel="uc_web", succeeded=succeeded, reason=reason,
                                   email="megan@contoso.com")
    body = admin_client.get("/integrations/entra/sso/").content.decode()
    section = body.split('id="sign-in-log"')[1].split("</table>")[0]
    assert "No extension linked to this Microsoft account" in section and "extension linked by e-mail" in section
    assert not any(code in section for code in CODES)


def test_the_audit_list_names_settings_in_words(admin_client, organization, admin_user):
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com",
                                   client_id="00001111-aaaa-2222-bbbb-3333cccc4444", client_secret="x" * 40)
    audit_record(organization=organization, actor=admin_user, action="entra.user_sync_changed",
                 target="User Synchronization", changes={"custom_filter": ["", "a"], "interval_minutes": [5, 7]})
    body = admin_client.get("/integrations/entra/").content.decode()
    section = body.split('id="audit-heading"')[1].split("</table>")[0]
    assert "User Synchronization: changed" in section and "Custom filter" in section
    assert "Sync interval (minutes)" in section
    assert not any(code in section for code in CODES)


def test_the_sync_log_shows_user_synchronization_by_default_with_a_filter_per_kind(admin_client, organization):
    users = SyncRun.objects.create(organization=organization, kind="users", trigger="schedule", status="succeeded")
    presence = SyncRun.objects.create(organization=organization, kind="presence", trigger="schedule",
                                      status="succeeded")
    default = admin_client.get("/integrations/sync/log/").content.decode()
    assert f"/integrations/sync/runs/{users.pk}/" in default
    assert f"/integrations/sync/runs/{presence.pk}/" not in default
    assert '<option value="users" selected>' in default and '<option value="presence"' in default
    every = admin_client.get("/integrations/sync/log/?kind=").content.decode()
    assert f"/integrations/sync/runs/{presence.pk}/" in every
    only = admin_client.get("/integrations/sync/log/?kind=presence").content.decode()
    assert f"/integrations/sync/runs/{presence.pk}/" in only and f"/integrations/sync/runs/{users.pk}/" not in only
