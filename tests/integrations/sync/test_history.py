"""Sync history for the charts: runs in the range with their changes, duration and failures; many runs grouped into
time slots whose bar opens the most telling run; the numbers are in the page for screen readers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.sync.history import MAX_BARS, sync_history
from integrations.sync.models import SyncKind, SyncRun

pytestmark = pytest.mark.django_db


def make_run(organization, *, hours_ago: float, status=SyncRun.Status.SUCCEEDED, counts=None, seconds=3,
             kind=SyncKind.USERS, dry_run=False):
    at = timezone.now() - timedelta(hours=hours_ago)
    run = SyncRun.objects.create(organization=organization, kind=kind, trigger=SyncRun.Trigger.SCHEDULE,
                                 status=status, counts=counts or {}, started_at=at, dry_run=dry_run,
                                 finished_at=at + timedelta(seconds=seconds))
    SyncRun.objects.filter(pk=run.pk).update(created_at=at)
    return run


def test_runs_in_the_range_each_a_bar_with_changes_duration_and_failure(organization, other_organization):
    make_run(organization, hours_ago=30, counts={"created": 2, "updated": 1, "unchanged": 50}, seconds=4)
    failed = make_run(organization, hours_ago=5, status=SyncRun.Status.FAILED)
    make_run(organization, hours_ago=2, counts={"updated": 5}, dry_run=True)  # a preview changes nothing
    make_run(organization, hours_ago=200)  # outside 7 days
    make_run(other_organization, hours_ago=1, counts={"created": 9})
    history = sync_history(organization, range_key="7d")
    assert (history.runs, history.failures, history.changes) == (2, 1, 3)
    assert [bar.value for bar in history.chart.bars] == [3, 0]
    assert history.chart.bars[1].failed and history.chart.bars[1].href == reverse("sync:run", args=[failed.pk])
    assert history.chart.bars[1].height == history.chart.plot_height  # a failure shows even without changes
    assert history.chart.bars[0].secondary == 4.0
    assert history.summary == "2 runs in the last 7 days: 1 failed, 3 changes, longest 4.0 s."
    assert sync_history(organization, range_key="24h").runs == 1


def test_many_runs_are_grouped_and_a_slot_opens_its_failed_run(organization):
    for n in range(MAX_BARS + 10):
        make_run(organization, hours_ago=1 + n * 0.2, counts={"updated": 1})
    failed = make_run(organization, hours_ago=1.1, status=SyncRun.Status.FAILED)
    history = sync_history(organization, range_key="7d")
    assert history.grouped and len(history.chart.bars) == 28  # 7 days of 6-hour slots
    assert history.runs == MAX_BARS + 11 and history.changes == MAX_BARS + 10
    assert history.chart.bars[-1].href == reverse("sync:run", args=[failed.pk]) and history.chart.bars[-1].failed


def test_an_unknown_range_is_seven_days(organization):
    assert sync_history(organization, range_key="<script>").range_key == "7d"


@pytest.mark.parametrize("url_name", ["sync:log", "user_sync:settings"])
def test_the_pages_draw_the_chart_with_its_numbers_and_range_links(admin_client, organization, url_name):
    run = make_run(organization, hours_ago=3, counts={"created": 4})
    html = admin_client.get(reverse(url_name), {"range": "24h"}).content.decode()
    assert '<svg class="chart-svg"' in html
    assert f'<a href="{reverse("sync:run", args=[run.pk])}">Run {run.pk},' in html  # the numbers' table
    assert "1 run in the last 24 hours: none failed, 4 changes" in html
    assert "range=30d" in html
    assert "{#" not in html and "#}" not in html  # no template comment leaks into the page


def test_the_time_axis_is_drawn_inside_the_chart_so_it_lines_up_with_the_bars_at_any_width(admin_client,
                                                                                          organization):
    make_run(organization, hours_ago=3, counts={"created": 4})
    html = admin_client.get(reverse("user_sync:settings"), {"range": "24h"}).content.decode()
    svg = html[html.index('<svg class="chart-svg"'):html.index("</svg>")]
    history = sync_history(organization, range_key="24h")
    chart = history.chart
    assert chart.axis_y > chart.secondary_top + chart.secondary_height and chart.height > chart.axis_y
    assert f'x="{chart.plot_left}" y="{chart.axis_y}" text-anchor="start"' in svg and chart.axis_start in svg
    assert f'x="{chart.plot_right}" y="{chart.axis_y}" text-anchor="end" dominant-baseline="middle">now<' in svg
    assert 'class="chart-axis"' not in html  # no HTML label row that drifts from the scaled SVG


def test_extensions_deleted_after_their_grace_period_are_changes(organization):
    make_run(organization, hours_ago=2, counts={"read": 10, "unchanged": 10, "purged": 3})
    history = sync_history(organization, range_key="24h")
    assert history.changes == 3 and history.chart.bars[0].value == 3


def test_a_scim_day_log_is_not_counted_as_the_longest_run(organization):
    make_run(organization, hours_ago=1, seconds=4, counts={"updated": 1})
    scim = make_run(organization, hours_ago=10, seconds=9 * 3600, counts={"created": 2})
    SyncRun.objects.filter(pk=scim.pk).update(trigger=SyncRun.Trigger.SCIM)
    history = sync_history(organization, range_key="24h")
    assert (history.runs, history.changes, history.longest_seconds) == (2, 3, 4.0)
    assert SyncRun.objects.get(pk=scim.pk).duration_seconds is None


def test_a_waiting_a_running_and_a_queued_run_count_as_what_they_did(organization):
    make_run(organization, hours_ago=3, status=SyncRun.Status.NEEDS_APPROVAL, seconds=6,
             counts={"read": 40, "created": 1, "out_of_scope": 39, "removals_held": 39, "planned_removals": 39,
                     "held_disabled": 39})
    running = make_run(organization, hours_ago=0.1, status=SyncRun.Status.RUNNING, counts={"updated": 2})
    SyncRun.objects.filter(pk=running.pk).update(finished_at=None, heartbeat_at=running.started_at + timedelta(
        seconds=8))
    queued = SyncRun.objects.create(organization=organization, kind=SyncKind.CONTACTS,
                                    trigger=SyncRun.Trigger.SCHEDULE)
    history = sync_history(organization, range_key="24h")
    # Held removals are not changes (nothing was removed); the running run so far; the queued one took no time.
    assert (history.runs, history.failures, history.changes, history.longest_seconds) == (3, 0, 3, 8.0)
    assert queued.duration_seconds is None


def test_filtered_by_user_the_summary_says_the_changes_are_the_runs_not_the_users(admin_client, organization):
    from integrations.sync.models import SyncEvent
    run = make_run(organization, hours_ago=2, counts={"created": 40})
    SyncEvent.objects.create(run=run, organization=organization, action=SyncEvent.Action.CREATED,
                             subject="Ada Lovelace", number="2001")
    make_run(organization, hours_ago=1, counts={"updated": 5})  # did not touch Ada
    html = admin_client.get(reverse("sync:log"), {"user": "ada", "range": "24h"}).content.decode()
    assert "1 run touching “ada” in the last 24 hours: none failed, 40 changes in those runs (all users)" in html
    assert sync_history(organization, range_key="24h").summary.startswith("2 runs in the last 24 hours")
