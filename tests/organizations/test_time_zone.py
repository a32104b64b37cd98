"""The organization's time zone: set on Organization settings (default UTC); pages show local times with the zone
and UTC on hover; the JSON APIs stay in UTC (ISO 8601). The phone region can follow the time zone's country."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from integrations.sync.models import SyncKind, SyncRun
from organizations.time_zones import region_for_time_zone

pytestmark = pytest.mark.django_db
URL = reverse("organizations:settings")


def test_a_new_organization_shows_utc(organization):
    assert organization.time_zone == "UTC"


def test_the_admin_sets_the_time_zone_and_the_region_follows_it(admin_client, organization):
    response = admin_client.post(URL, {"time_zone": "Europe/Berlin", "default_region": ""})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.time_zone, organization.default_region) == ("Europe/Berlin", "DE")


def test_a_chosen_region_wins_over_the_time_zone(admin_client, organization):
    assert admin_client.post(URL, {"time_zone": "Europe/Berlin", "default_region": "GB"}).status_code == 302
    organization.refresh_from_db()
    assert (organization.time_zone, organization.default_region) == ("Europe/Berlin", "GB")


@pytest.mark.parametrize("value", ["Mars/Olympus", "../../etc/passwd", "Europe/Berlin\x00", "x" * 300])
def test_an_unknown_time_zone_is_refused_and_nothing_changes(admin_client, organization, value):
    response = admin_client.post(URL, {"time_zone": value, "default_region": "DE"})
    assert response.status_code == 400
    organization.refresh_from_db()
    assert (organization.time_zone, organization.default_region) == ("UTC", "US")


def test_utc_has_no_country_so_the_region_must_be_chosen(admin_client, organization):
    response = admin_client.post(URL, {"time_zone": "UTC", "default_region": ""})
    assert response.status_code == 400 and "is in no country" in response.content.decode()


def test_zone_countries():
    assert region_for_time_zone("America/New_York") == "US" and region_for_time_zone("Asia/Tokyo") == "JP"
    assert region_for_time_zone("UTC") == ""


@pytest.fixture
def berlin_run(organization):
    organization.time_zone = "Europe/Berlin"
    organization.save()
    started = datetime(2026, 12, 2, 8, 2, tzinfo=UTC)
    return SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.MANUAL,
                                  status=SyncRun.Status.SUCCEEDED, started_at=started, finished_at=started)


def test_pages_show_local_time_with_the_zone_and_utc_on_hover(admin_client, berlin_run):
    html = admin_client.get(reverse("sync:log")).content.decode()
    assert ('<time datetime="2026-12-02T08:02:00Z" title="2026-12-02 08:02 UTC">2026-12-02 09:02 CET</time>'
            in html)


def test_the_json_api_stays_utc(admin_client, berlin_run):
    data = admin_client.get(reverse("sync:run_progress", args=[berlin_run.pk])).json()
    assert data["started_at"] == "2026-12-02T08:02:00+00:00"


def test_the_zone_does_not_leak_into_the_next_request(admin_client, client, berlin_run):
    admin_client.get(reverse("sync:log"))
    from django.utils import timezone

    assert timezone.get_current_timezone_name() == "UTC"


# Europe/Berlin leaves CET (UTC+01:00) for CEST (UTC+02:00) on 2026-03-29 at 01:00 UTC; America/New_York leaves EDT for
# EST on 2026-11-01 at 06:00 UTC. One process serves the pages on either side of the change.
BEFORE_SPRING = datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
AFTER_SPRING = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def settings_page_at(admin_client, monkeypatch, moment):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: moment)
    return admin_client.get(URL).content.decode()


def test_the_zone_choices_show_the_offset_of_the_moment_the_page_is_shown(admin_client, monkeypatch):
    before = settings_page_at(admin_client, monkeypatch, BEFORE_SPRING)
    after = settings_page_at(admin_client, monkeypatch, AFTER_SPRING)
    assert "Europe/Berlin (UTC+01:00)" in before and "Europe/Berlin (UTC+02:00)" not in before
    assert "Europe/Berlin (UTC+02:00)" in after and "Europe/Berlin (UTC+01:00)" not in after
    autumn = settings_page_at(admin_client, monkeypatch, datetime(2026, 11, 1, 5, 59, tzinfo=UTC))
    winter = settings_page_at(admin_client, monkeypatch, datetime(2026, 11, 1, 6, 0, tzinfo=UTC))
    assert "America/New York (UTC-04:00)" in autumn and "America/New York (UTC-05:00)" in winter


def test_each_time_shows_the_abbreviation_of_its_own_instant(admin_client, organization, monkeypatch):
    """A page shown in summer still labels a winter time CET, and the reverse."""
    organization.time_zone = "Europe/Berlin"
    organization.save()
    for moment in (BEFORE_SPRING, AFTER_SPRING):
        SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.MANUAL,
                               status=SyncRun.Status.SUCCEEDED, started_at=moment, finished_at=moment)
    from django.utils import timezone

    for now in (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)):
        monkeypatch.setattr(timezone, "now", lambda now=now: now)
        html = admin_client.get(reverse("sync:log")).content.decode()
        assert 'title="2026-03-29 00:59 UTC">2026-03-29 01:59 CET</time>' in html
        assert 'title="2026-03-29 01:00 UTC">2026-03-29 03:00 CEST</time>' in html
