"""PBX to Teams requests as Graph receives them (responses): app session id, bounded expiration, clear, renewal."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.graph import PermissionDenied
from integrations.graph.presence import iso_duration
from presence.models import ExtensionPresence, PbxCall, PresenceSettings
from presence.services import CALL_SESSION_LENGTH, call_presence_reconcile, renew_call_sessions
from tests.helpers.factories import make_extension
from tests.helpers.graph_payloads import CLIENT

pytestmark = pytest.mark.django_db
USER = "11111111-1111-4111-8111-111111111111"
SET = f"https://graph.microsoft.com/v1.0/users/{USER}/presence/setPresence"
CLEAR = f"https://graph.microsoft.com/v1.0/users/{USER}/presence/clearPresence"
FORBIDDEN = {"error": {"code": "Forbidden", "message": "Insufficient privileges to complete the operation.",
                       "innerError": {"date": "2026-01-01T00:00:00", "request-id": "r1", "client-request-id": "c1"}}}


@pytest.fixture
def extension(organization):
    return make_extension(organization, number="1001", source="entra", entra_object_id=USER)


def graph_bodies(rsps, url):
    return [json.loads(c.request.body) for c in rsps.calls if c.request.url == url]


def test_busy_in_a_call_with_the_app_session_then_cleared(rsps, graph_client, extension):
    rsps.add("POST", SET, status=200, body=b"")
    rsps.add("POST", CLEAR, status=200, body=b"")
    call = PbxCall.objects.create(organization=extension.organization, extension=extension, call_id="c1",
                                  started_at=timezone.now())
    assert call_presence_reconcile(extension_id=extension.pk, client=graph_client, session_id=CLIENT) == "set"
    assert graph_bodies(rsps, SET) == [{"sessionId": CLIENT, "availability": "Busy", "activity": "InACall",
                                        "expirationDuration": "PT30M"}]
    assert call_presence_reconcile(extension_id=extension.pk, client=graph_client, session_id=CLIENT) == "unchanged"
    PbxCall.objects.filter(pk=call.pk).update(ended_at=timezone.now())
    assert call_presence_reconcile(extension_id=extension.pk, client=graph_client, session_id=CLIENT) == "cleared"
    assert graph_bodies(rsps, CLEAR) == [{"sessionId": CLIENT}]
    assert ExtensionPresence.objects.get(extension=extension).teams_session_until is None


def test_expiration_is_within_graph_bounds():
    assert iso_duration(CALL_SESSION_LENGTH) == "PT30M"
    assert iso_duration(timedelta(minutes=1)) == "PT5M"
    assert iso_duration(timedelta(hours=9)) == "PT4H"
    assert iso_duration(timedelta(minutes=90)) == "PT1H30M"


def test_renewal_before_expiry_and_a_lost_end_stops_counting(rsps, graph_client, extension):
    rsps.add("POST", SET, status=200, body=b"")
    rsps.add("POST", CLEAR, status=200, body=b"")
    now = timezone.now()
    call = PbxCall.objects.create(organization=extension.organization, extension=extension, call_id="c1",
                                  started_at=now)
    call_presence_reconcile(extension_id=extension.pk, client=graph_client, session_id=CLIENT, now=now)
    # 25 minutes later the session has 5 minutes left: the poll cycle renews it
    later = now + timedelta(minutes=25)
    assert renew_call_sessions(organization=extension.organization, client=graph_client, session_id=CLIENT,
                               now=later) == 1
    assert len(graph_bodies(rsps, SET)) == 2
    # the PBX never reported the end: after 4 hours the call no longer counts and the session is cleared
    PbxCall.objects.filter(pk=call.pk).update(started_at=now - timedelta(hours=5))
    ExtensionPresence.objects.filter(extension=extension).update(teams_session_until=later + timedelta(minutes=2))
    renew_call_sessions(organization=extension.organization, client=graph_client, session_id=CLIENT,
                        now=later + timedelta(minutes=1))
    assert len(graph_bodies(rsps, CLEAR)) == 1
    assert ExtensionPresence.objects.get(extension=extension).teams_session_until is None


def test_refused_write_names_the_permission(rsps, graph_client, extension):
    rsps.add("POST", SET, status=403, json=FORBIDDEN)
    PbxCall.objects.create(organization=extension.organization, extension=extension, call_id="c1",
                           started_at=timezone.now())
    with pytest.raises(PermissionDenied):
        call_presence_reconcile(extension_id=extension.pk, client=graph_client, session_id=CLIENT)
    assert PresenceSettings.objects.get(organization=extension.organization).missing_permissions == [
        "Presence.ReadWrite.All"]
