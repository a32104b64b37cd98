"""A run's page shows the counters its kind keeps: a presence poll its users and changes (not a user sync's zeros),
a SCIM day log its requests' effects without a Read count that would break Read = the sum of the outcomes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.sync.models import SyncKind, SyncRun

pytestmark = pytest.mark.django_db


def _counts(html: str) -> dict[str, str]:
    import re
    return dict(re.findall(r'<dt>([^<]+)</dt><dd data-(?:count|field)="[a-z_]+">(\d+)</dd>', html))


def test_a_presence_poll_shows_its_own_counters(admin_client, organization):
    run = SyncRun.objects.create(organization=organization, kind=SyncKind.PRESENCE, trigger=SyncRun.Trigger.SCHEDULE,
                                 status=SyncRun.Status.SUCCEEDED, counts={"users": 120, "changed": 7,
                                                                          "unavailable": 2}, graph_requests=1)
    counts = _counts(admin_client.get(reverse("sync:run", args=[run.pk])).content.decode())
    assert counts == {"Users polled": "120", "Presence changed": "7", "Newly without Teams presence": "2",
                      "Graph requests": "1"}


def test_a_scim_day_log_has_no_read_count_and_no_duration(admin_client, organization):
    start = timezone.now() - timezone.timedelta(hours=9)
    run = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.SCIM,
                                 status=SyncRun.Status.SUCCEEDED, counts={"created": 3, "updated": 2},
                                 started_at=start, finished_at=timezone.now())
    html = admin_client.get(reverse("sync:run", args=[run.pk])).content.decode()
    counts = _counts(html)
    assert "Read" not in counts and counts["Created"] == "3" and counts["Updated"] == "2"
    assert "Read = Created" not in html and "counted once by its effect" in html
    assert " s)" not in html  # nine hours between the first and the last request are not a run's duration
    log = admin_client.get(reverse("sync:log")).content.decode()
    assert "32400" not in log


def test_a_user_run_keeps_its_read_identity(admin_client, organization):
    run = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.MANUAL,
                                 status=SyncRun.Status.SUCCEEDED, counts={"read": 5, "created": 2, "unchanged": 3})
    html = admin_client.get(reverse("sync:run", args=[run.pk])).content.decode()
    assert _counts(html)["Read"] == "5" and "Read = Created" in html


@pytest.mark.parametrize("runs", [3, 60])
def test_the_sync_log_and_a_run_page_cost_the_same_queries_with_more_runs_and_events(
        admin_client, organization, admin_user, django_assert_max_num_queries, runs):
    from integrations.sync.models import SyncEvent
    for n in range(runs):
        run = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.MANUAL,
                                     status=SyncRun.Status.SUCCEEDED, counts={"read": 1, "created": 1},
                                     requested_by=admin_user, started_at=timezone.now(), finished_at=timezone.now())
        SyncEvent.objects.create(run=run, organization=organization, action=SyncEvent.Action.CREATED,
                                 subject=f"User {n}", number=str(1000 + n))
    with django_assert_max_num_queries(7):
        assert admin_client.get(reverse("sync:log")).status_code == 200
    with django_assert_max_num_queries(7):
        assert admin_client.get(reverse("sync:run", args=[run.pk])).status_code == 200


def test_one_held_removal_is_one_extension(admin_client, organization):
    run = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.SCHEDULE,
                                 status=SyncRun.Status.NEEDS_APPROVAL,
                                 counts={"read": 1, "out_of_scope": 1, "planned_removals": 1, "removals_held": 1})
    html = admin_client.get(reverse("sync:run", args=[run.pk])).content.decode()
    assert "<strong>1 extension would be disabled or deleted.</strong>" in html
