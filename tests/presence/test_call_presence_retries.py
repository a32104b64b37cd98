"""PBX to Teams that sticks: the task retries what a later attempt can fix (honouring Retry-After), the poll cycle
sets sessions that were never set, a lost clear answer is not an error, and write-back is decided in one place."""

import json
from datetime import timedelta
from unittest import mock

import pytest
import requests
from celery.exceptions import Retry
from django.utils import timezone

from integrations.graph import (
    GraphConnectionError,
    GraphThrottled,
    GraphUnavailable,
    PermissionDenied,
)
from integrations.models import EntraConnection
from presence import tasks
from presence.models import ExtensionPresence, PbxCall, PresenceSettings
from presence.selectors import writeback_allowed, writeback_connection
from presence.services import call_event_record, call_presence_reconcile, renew_call_sessions
from tests.helpers.factories import make_extension
from tests.helpers.graph_payloads import CLIENT

pytestmark = pytest.mark.django_db
USER = "22222222-2222-4222-8222-222222222222"
SET = f"https://graph.microsoft.com/v1.0/users/{USER}/presence/setPresence"
CLEAR = f"https://graph.microsoft.com/v1.0/users/{USER}/presence/clearPresence"
NOT_FOUND = {"error": {"code": "NotFound", "message": "The presence session was not found.",
                       "innerError": {"date": "2026-01-01T00:00:00", "request-id": "r2", "client-request-id": "c2"}}}


@pytest.fixture
def extension(organization):
    return make_extension(organization, number="1002", source="entra", entra_object_id=USER)


def writes(rsps, url):
    return [json.loads(c.request.body) for c in rsps.calls if c.request.url == url]


def open_call(extension, started=None):
    return PbxCall.objects.create(organization=extension.organization, extension=extension, call_id="c1",
                                  started_at=started or timezone.now())


# --- the poll cycle sets what was never set -----------------------------------------------------------------------
def test_an_open_call_whose_first_set_failed_gets_its_session_in_the_next_cycle(rsps, graph_client, extension):
    rsps.add("POST", SET, body=requests.exceptions.ConnectionError("reset by peer"))
    open_call(extension)
    with pytest.raises(GraphConnectionError):
        call_presence_reconcile(extension_id=extension.pk, client=graph_client, session_id=CLIENT)
    assert not ExtensionPresence.objects.filter(extension=extension, teams_session_until__isnull=False).exists()
    rsps.replace("POST", SET, status=200, body=b"")
    assert renew_call_sessions(organization=extension.organization, client=graph_client, session_id=CLIENT) == 1
    assert len(writes(rsps, SET)) == 2
    assert ExtensionPresence.objects.get(extension=extension).teams_session_until is not None


def test_an_open_call_of_a_user_without_any_presence_row_is_set_too(rsps, graph_client, extension):
    rsps.add("POST", SET, status=200, body=b"")
    open_call(extension)  # the call event's task never ran (queue lost): no ExtensionPresence row at all
    assert renew_call_sessions(organization=extension.organization, client=graph_client, session_id=CLIENT) == 1
    assert writes(rsps, SET)[0]["activity"] == "InACall"


def test_users_without_teams_presence_and_ended_calls_are_not_written(rsps, graph_client, extension, organization):
    other = make_extension(organization, number="1003", source="entra",
                           entra_object_id="33333333-3333-4333-8333-333333333333")
    ExtensionPresence.objects.create(extension=other, organization=organization, unavailable_since=timezone.now())
    PbxCall.objects.create(organization=organization, extension=other, call_id="c9", started_at=timezone.now())
    PbxCall.objects.create(organization=organization, extension=extension, call_id="c1", started_at=timezone.now(),
                           ended_at=timezone.now())
    PbxCall.objects.create(organization=organization, extension=extension, call_id="old",
                           started_at=timezone.now() - timedelta(hours=5))  # a lost end: no longer counts
    assert renew_call_sessions(organization=organization, client=graph_client, session_id=CLIENT) == 0
    assert [c for c in rsps.calls if "/presence/" in c.request.url] == []


# --- answers that are not errors ----------------------------------------------------------------------------------
def test_a_clear_that_finds_no_session_is_done(rsps, graph_client, extension):
    rsps.add("POST", CLEAR, status=404, json=NOT_FOUND)  # an earlier clear was applied but its answer was lost
    ExtensionPresence.objects.create(extension=extension, organization=extension.organization,
                                     teams_session_until=timezone.now() + timedelta(minutes=20))
    assert call_presence_reconcile(extension_id=extension.pk, client=graph_client, session_id=CLIENT) == "cleared"
    assert ExtensionPresence.objects.get(extension=extension).teams_session_until is None


def test_a_user_without_a_teams_license_is_not_retried(rsps, graph_client, extension):
    rsps.add("POST", SET, status=404, json=NOT_FOUND)
    open_call(extension)
    assert call_presence_reconcile(extension_id=extension.pk, client=graph_client, session_id=CLIENT) == \
        "no Teams presence for this user"


# --- the task retries ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("failure", [
    GraphThrottled(7.0, status=429),
    GraphThrottled(2.5, status=503),
    GraphConnectionError("network", "graph.microsoft.com", "reset"),
    GraphUnavailable(504, "GatewayTimeout"),
])
def test_the_task_retries_what_a_later_attempt_can_fix(extension, failure):
    with mock.patch.object(tasks, "call_presence_write_back", side_effect=failure), \
            mock.patch.object(tasks.reconcile_call_presence, "retry", side_effect=Retry) as retry:
        with pytest.raises(Retry):
            tasks.reconcile_call_presence.run(extension.pk)
    kwargs = retry.call_args.kwargs
    assert kwargs["exc"] is failure
    if isinstance(failure, GraphThrottled):
        assert kwargs["countdown"] == failure.retry_after  # Retry-After, exactly
    else:
        assert 0.5 <= kwargs["countdown"] <= 1.0  # first backoff step


def test_the_task_does_not_retry_a_refusal(extension):
    refusal = PermissionDenied(403, "Forbidden")
    with mock.patch.object(tasks, "call_presence_write_back", side_effect=refusal), \
            mock.patch.object(tasks.reconcile_call_presence, "retry") as retry:
        with pytest.raises(PermissionDenied):
            tasks.reconcile_call_presence.run(extension.pk)
    retry.assert_not_called()


def test_backoff_without_retry_after_grows_and_is_capped():
    failure = GraphConnectionError("network", "graph.microsoft.com")
    for retries, (low, high) in enumerate([(0.5, 1), (1, 2), (2, 4), (4, 8)]):
        assert low <= tasks.retry_countdown(failure, retries) <= high
    assert tasks.retry_countdown(failure, 30) <= tasks.MAX_BACKOFF


@pytest.fixture
def eager_retrying(celery_eager):
    """Eager tasks whose retries run at once (an eager retry is only re-applied when errors do not propagate)."""
    celery_eager.conf.task_eager_propagates = False
    return celery_eager


def test_eager_task_keeps_trying_until_teams_has_it(eager_retrying, extension):
    outcomes = [GraphThrottled(0.0, status=503), GraphConnectionError("network", "x"), "set"]

    def attempt(**kwargs):
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    with mock.patch.object(tasks, "call_presence_write_back", side_effect=attempt):
        result = tasks.reconcile_call_presence.delay(extension.pk)
    assert result.get() == "set" and outcomes == []


# --- one decision ------------------------------------------------------------------------------------------------
def connection_for(organization, **fields):
    values = {"tenant_id": "contoso.example", "client_id": "c" * 36, "client_secret": "s", "feature_presence": True,
              "feature_presence_writeback": True, **fields}
    return EntraConnection.objects.create(organization=organization, **values)


@pytest.mark.parametrize(("fields", "direction", "allowed"), [
    ({}, PresenceSettings.Direction.BOTH, True),
    ({}, PresenceSettings.Direction.PBX_TO_TEAMS, True),
    ({}, PresenceSettings.Direction.TEAMS_TO_PBX, False),
    ({"feature_presence_writeback": False}, PresenceSettings.Direction.BOTH, False),
    ({"feature_presence": False}, PresenceSettings.Direction.BOTH, False),
    ({"syncs_paused": True}, PresenceSettings.Direction.BOTH, False),
    ({"client_secret": ""}, PresenceSettings.Direction.BOTH, False),
])
def test_writeback_is_decided_in_one_place(organization, fields, direction, allowed):
    connection = connection_for(organization, **fields)
    settings = PresenceSettings.objects.create(organization=organization, direction=direction)
    assert writeback_allowed(connection, settings) is allowed
    assert (writeback_connection(organization.pk) is not None) is allowed


@pytest.mark.parametrize("fields", [{"syncs_paused": True}, {"client_secret": ""}])
def test_no_task_is_queued_when_the_connection_cannot_write(organization, extension, fields,
                                                            django_capture_on_commit_callbacks):
    connection_for(organization, **fields)
    with mock.patch.object(tasks.reconcile_call_presence, "delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        call_event_record(organization=organization, number=extension.number, event="started", call_id="c1")
    delay.assert_not_called()


def test_a_paused_connection_is_not_written_by_the_poll_cycle(organization, extension):
    connection = connection_for(organization, syncs_paused=True)
    settings = PresenceSettings.objects.create(organization=organization)
    ctx = mock.Mock(connection=connection, organization=organization)
    from presence import poll

    with mock.patch.object(poll, "_check_permissions"), mock.patch.object(poll, "_poll"), \
            mock.patch.object(poll, "renew_call_sessions") as renew:
        poll.execute(ctx)
    renew.assert_not_called()
    assert settings.reads_teams
