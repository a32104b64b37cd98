"""Integrations > Collaboration > Microsoft Teams Presence: save, validation, audit, schedule; and the badge."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.models import SyncKind, SyncRun, SyncSchedule
from integrations.sync.retention import purge_sync_log
from organizations.models import AuditEntry
from presence.models import ExtensionPresence, PresenceSettings
from presence.selectors import presence_by_extension
from tests.helpers.factories import make_extension
from tests.helpers.presence import presence_read

pytestmark = pytest.mark.django_db
URL = "/integrations/collaboration/presence/"


@pytest.fixture
def connection(organization):
    return EntraConnection.objects.create(organization=organization, tenant_id="contoso.example",
                                          client_id="c" * 36, client_secret="s")


def form(**overrides):
    data = {"enabled": "on", "direction": "both", "poll_interval_seconds": "15",
            "mapping_availability": ["Available", "Busy", ""], "mapping_activity": ["*", "*", "*"],
            "mapping_pbx_state": ["available", "busy", ""]}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_page_shows_the_section(admin_client, connection):
    body = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert "Microsoft Teams Presence" in body and 'action="/integrations/collaboration/presence/"' in body
    assert "Presence.Read.All" in body and "Presence.ReadWrite.All" in body


def test_save_sets_flags_settings_schedule_and_audit(admin_client, organization, connection):
    response = admin_client.post(URL, form())
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.feature_presence and connection.feature_presence_writeback
    settings = PresenceSettings.objects.get(organization=organization)
    assert settings.poll_interval_seconds == 15
    assert settings.mapping == [{"availability": "Available", "activity": "*", "pbx_state": "available"},
                                {"availability": "Busy", "activity": "*", "pbx_state": "busy"}]
    assert SyncSchedule.objects.get(organization=organization, kind=SyncKind.PRESENCE).interval_seconds == 15
    entry = AuditEntry.objects.get(organization=organization, action="presence.settings_saved")
    assert entry.changes["poll_interval_seconds"] == [30, 15]
    admin_client.post(URL, form(direction="teams_to_pbx"))
    connection.refresh_from_db()
    assert connection.feature_presence and not connection.feature_presence_writeback


@pytest.mark.parametrize(("overrides", "message"), [
    ({"poll_interval_seconds": "5"}, "greater than or equal to 10"),
    ({"poll_interval_seconds": "abc"}, "Enter a whole number"),
    ({"direction": "sideways"}, "Select a valid choice"),
    ({"mapping_availability": ["Available", "Available"], "mapping_activity": ["*", "*"],
      "mapping_pbx_state": ["available", "busy"]}, "mapped twice"),
    ({"mapping_availability": [""], "mapping_activity": ["*"], "mapping_pbx_state": [""]}, "at least one rule"),
])
def test_bad_input_is_explained_and_changes_nothing(admin_client, organization, connection, overrides, message):
    response = admin_client.post(URL, form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PresenceSettings.objects.filter(organization=organization).exists()
    connection.refresh_from_db()
    assert not connection.feature_presence


def test_reset_restores_default_mapping(admin_client, organization, connection):
    admin_client.post(URL, form())
    admin_client.post(URL, form(reset_mapping="on"))
    assert len(PresenceSettings.objects.get(organization=organization).mapping) > 5


def test_entra_page_no_longer_carries_the_presence_flags(admin_client, connection):
    body = admin_client.get(reverse("integrations:entra")).content.decode()
    assert 'name="feature_presence"' not in body and 'name="feature_contacts"' not in body


def test_badge_shows_state_and_age_in_the_extensions_list(admin_client, organization):
    presence_read(organization)
    ext = make_extension(organization, number="2001", source="entra",
                         entra_object_id="11111111-1111-4111-8111-111111111111")
    ExtensionPresence.objects.create(extension=ext, organization=organization, availability="Busy",
                                     activity="InACall", pbx_state="on_call",
                                     changed_at=timezone.now() - timedelta(minutes=7))
    body = admin_client.get(reverse("extensions:list")).content.decode()
    assert "Busy, in a call" in body and "7\xa0minutes" in body and "Teams presence" in body


def test_presence_of_a_page_is_one_query(organization, django_assert_num_queries):
    presence_read(organization)
    exts = [make_extension(organization, source="entra", entra_object_id=f"11111111-1111-4111-8111-{i:012d}")
            for i in range(30)]
    for ext in exts:
        ExtensionPresence.objects.create(extension=ext, organization=organization, pbx_state="available")
    with django_assert_num_queries(1):
        assert len(presence_by_extension([e.pk for e in exts])) == 30


def test_quiet_presence_runs_are_purged_after_a_day(organization):
    old = timezone.now() - timedelta(hours=30)
    quiet = SyncRun.objects.create(organization=organization, kind=SyncKind.PRESENCE, trigger="schedule",
                                   status="succeeded")
    failed = SyncRun.objects.create(organization=organization, kind=SyncKind.PRESENCE, trigger="schedule",
                                    status="failed", error="boom")
    reported = SyncRun.objects.create(organization=organization, kind=SyncKind.PRESENCE, trigger="schedule",
                                      status="succeeded")
    reported.events.create(organization=organization, action="skipped", reason="no Teams license")
    users = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger="schedule",
                                   status="succeeded")
    recent = SyncRun.objects.create(organization=organization, kind=SyncKind.PRESENCE, trigger="schedule",
                                    status="succeeded")
    SyncRun.objects.exclude(pk=recent.pk).update(created_at=old)
    assert purge_sync_log() == 1
    assert set(SyncRun.objects.values_list("pk", flat=True)) == {failed.pk, reported.pk, users.pk, recent.pk}
    assert not SyncRun.objects.filter(pk=quiet.pk).exists()
