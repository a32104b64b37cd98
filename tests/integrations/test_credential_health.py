"""The daily credential check: warnings at 30, 7 and 1 days (once each), pause on rejection, thin task."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from integrations import tasks
from integrations.connection_check import Check, ConnectionCheckOutcome
from integrations.credential_health import credential_health_check, warning_due
from integrations.models import EntraConnection
from integrations.status import connection_badge, credential_banners
from tests.helpers.factories import make_admin, make_organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("days", "last", "expected"), [
    (90, None, None), (30, None, 30), (29, 30, None), (7, 30, 7), (6, 7, None), (1, 7, 1), (0, 1, None),
    (-3, None, 1), (None, None, None), (5, None, 7),
])
def test_warning_thresholds(days, last, expected):
    assert warning_due(days, last) == expected


def green(connection, now=None, **kwargs):
    return ConnectionCheckOutcome(checks=[Check("credentials", "Credentials accepted", "ok", "ok")])


def rejected(connection, now=None, **kwargs):
    outcome = ConnectionCheckOutcome(checks=[Check("credentials", "Credentials accepted", "fail",
                                        "The client secret has expired (AADSTS7000222).")])
    outcome.credential_rejected = True
    return outcome


@pytest.fixture
def connection(organization, admin_user):
    return EntraConnection.objects.create(
        organization=organization, tenant_id="contoso.example", client_id="00001111-aaaa-2222-bbbb-3333cccc4444",
        client_secret="Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789", status=EntraConnection.Status.CONNECTED,
        secret_expires_on=timezone.localdate() + datetime.timedelta(days=6),
    )


def test_warns_admins_once_per_threshold(connection, admin_user):
    with mock.patch("integrations.services.connection_check", side_effect=green):
        summary = credential_health_check(connection=connection)
        assert "expiry warning sent (7 days)" in summary
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [admin_user.email]
        assert "expires in" in mail.outbox[0].subject
        assert "Certificates & secrets" in mail.outbox[0].body
        assert "Xy8Q~" not in mail.outbox[0].body
        credential_health_check(connection=connection)
    assert len(mail.outbox) == 1  # not again for the same threshold
    connection.refresh_from_db()
    assert connection.last_expiry_warning_days == 7


def test_rejected_credential_pauses_syncs_and_shows_banner(connection, admin_client):
    with mock.patch("integrations.services.connection_check", side_effect=rejected):
        credential_health_check(connection=connection)
    connection.refresh_from_db()
    assert connection.syncs_paused is True
    assert connection.status == EntraConnection.Status.ERROR
    assert connection_badge(connection).text == "Error: The client secret has expired (AADSTS7000222)."
    body = admin_client.get("/extensions/").content.decode()
    assert "Microsoft Entra syncs are paused: The client secret has expired" in body


def test_banner_is_only_shown_to_the_connection_organization(connection, client):
    other = make_organization("Other Org")
    client.force_login(make_admin(other))
    assert "expires in" not in client.get("/extensions/").content.decode()


def test_badges():
    assert connection_badge(None).text == "Not configured"
    conn = EntraConnection(tenant_id="t.example", client_id="c", client_secret="s" * 20,
                           status=EntraConnection.Status.UNTESTED)
    assert connection_badge(conn).short == "Not configured"  # unsaved
    conn.pk = 1
    assert connection_badge(conn).short == "Not tested"
    conn.status = EntraConnection.Status.CONNECTED
    assert connection_badge(conn).text == "Connected"
    conn.secret_expires_on = timezone.localdate() + datetime.timedelta(days=12)
    assert connection_badge(conn).text == "Connected · Secret expires in 12 days"
    assert credential_banners(conn)[0]["level"] == "warn"


def test_beat_task_queues_one_check_per_configured_connection(connection):
    make_organization("Unconfigured")
    EntraConnection.objects.create(organization=make_organization("Blank"))
    with mock.patch.object(tasks.check_credentials, "delay") as delay:
        assert tasks.check_all_credentials() == "queued 1 credential check(s)"
    delay.assert_called_once_with(connection.pk)


def test_task_and_command_call_the_service(connection, capsys):
    with mock.patch("integrations.services.connection_check", side_effect=green):
        assert tasks.check_credentials(connection.pk).startswith("passed")
        assert tasks.check_credentials(999999) == "connection deleted"
        call_command("check_entra_credentials")
    assert "Contoso Ltd: passed" in capsys.readouterr().out


def test_a_credential_past_its_exact_expiry_today_is_expired_not_expiring_in_0_days():
    now = datetime.datetime(2026, 12, 2, 15, 0, tzinfo=datetime.UTC)
    conn = EntraConnection(pk=1, tenant_id="t.example", client_id="c", client_secret="s" * 20,
                           status=EntraConnection.Status.CONNECTED,
                           graph_secret_expires_at=now - datetime.timedelta(hours=1))
    assert connection_badge(conn, now).short == "Expired"
    assert credential_banners(conn, now)[0]["level"] == "error"
    conn.graph_secret_expires_at = now + datetime.timedelta(hours=3)  # later today
    assert connection_badge(conn, now).text == "Connected · Secret expires today"
    assert "expires today, on 2026-12-02" in credential_banners(conn, now)[0]["text"]
    conn.graph_secret_expires_at = now + datetime.timedelta(days=1)
    assert connection_badge(conn, now).text == "Connected · Secret expires in 1 day"


def test_an_entered_expiry_date_holds_until_that_day_ends():
    now = datetime.datetime(2026, 12, 2, 15, 0, tzinfo=datetime.UTC)
    conn = EntraConnection(pk=1, tenant_id="t.example", client_id="c", client_secret="s" * 20,
                           status=EntraConnection.Status.CONNECTED, secret_expires_on=datetime.date(2026, 12, 2))
    assert connection_badge(conn, now).short == "Expires today"
    assert connection_badge(conn, now + datetime.timedelta(days=1)).short == "Expired"
