"""Sync history for the charts on User Synchronization and the sync log: runs over the last 24 hours, 7 days or
30 days, with the changes each made, how long it took and whether it failed. Up to MAX_BARS runs are one bar each;
more (a 5-minute schedule over 30 days) are grouped into time slots, each bar opening its most telling run (a failed
one, else the one with most changes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from integrations.sync.models import SyncRun, run_seconds
from integrations.sync.selectors import runs_for
from pbx_portal.charts import Bar, Chart, column_chart
from pbx_portal.times import local_text

RANGES = {"24h": ("24 hours", timedelta(hours=24), timedelta(hours=1)),
          "7d": ("7 days", timedelta(days=7), timedelta(hours=6)),
          "30d": ("30 days", timedelta(days=30), timedelta(days=1))}
DEFAULT_RANGE = "7d"
MAX_BARS = 96
# What counts as a change, for every kind (users, contacts, presence). "purged": extensions deleted after their
# grace period, outside a user run's read outcomes but deleted all the same.
CHANGE_COUNTS = ("created", "updated", "disabled", "deleted", "restored", "purged", "contacts_created",
                 "contacts_updated", "contacts_deleted", "changed")
FAILED = (SyncRun.Status.FAILED,)


@dataclass
class RunPoint:
    pk: int
    at: datetime
    changes: int
    seconds: float
    failed: bool
    status: str


@dataclass
class History:
    range_key: str
    range_label: str
    ranges: list[tuple[str, str]]
    chart: Chart
    runs: int
    failures: int
    changes: int
    longest_seconds: float
    grouped: bool
    user: str = ""  # the list's user filter: the runs that touched this user, with all their changes

    @property
    def summary(self) -> str:
        touching = f" touching “{self.user}”" if self.user else ""
        if not self.runs:
            return f"No sync{touching} ran in the last {self.range_label}."
        failed = f"{self.failures} failed" if self.failures else "none failed"
        changes = f"{self.changes} change{'s' if self.changes != 1 else ''}"
        if self.user:
            changes += " in those runs (all users)"
        return (f"{self.runs} run{'s' if self.runs != 1 else ''}{touching} in the last {self.range_label}: "
                f"{failed}, {changes}, longest {self.longest_seconds:.1f} s.")


def range_key_of(value: str) -> str:
    return value if value in RANGES else DEFAULT_RANGE


def sync_history(organization, *, kind: str = "", user: str = "", range_key: str = DEFAULT_RANGE,
                 always_group: bool = False, now=None) -> History:
    """The chart shows what the list beside it shows: the same kind and user filter."""
    range_key = range_key_of(range_key)
    label, span, slot = RANGES[range_key]
    now = now or timezone.now()
    start = now - span
    runs = runs_for(organization, kind=kind, user=user).filter(created_at__gte=start).exclude(dry_run=True)
    points = [_point(row) for row in runs.order_by("created_at", "id").values(
        "pk", "created_at", "trigger", "started_at", "finished_at", "heartbeat_at", "status", "counts")]
    grouped = always_group or len(points) > MAX_BARS
    if grouped:
        bars = _slot_bars(points, start, slot, span)
    else:
        bars = [_run_bar(point, position=(point.at - start) / span) for point in points]
    chart = column_chart(bars, secondary_height=40, axis_start=local_text(start), axis_end=local_text(now),
                         slots=len(bars) if grouped else max(len(bars), 48))
    return History(range_key=range_key, range_label=label, ranges=[(key, RANGES[key][0]) for key in RANGES],
                   chart=chart, runs=len(points), failures=sum(p.failed for p in points),
                   changes=sum(p.changes for p in points),
                   longest_seconds=max((p.seconds for p in points), default=0.0), grouped=grouped, user=user)


def _point(row: dict) -> RunPoint:
    counts = row["counts"] or {}
    changes = sum(int(counts.get(name) or 0) for name in CHANGE_COUNTS)
    seconds = run_seconds(row["trigger"], row["started_at"], row["finished_at"], row["heartbeat_at"]) or 0.0
    return RunPoint(pk=row["pk"], at=row["created_at"], changes=changes, seconds=seconds,
                    failed=row["status"] in FAILED, status=row["status"])


def _run_href(pk: int) -> str:
    return reverse("sync:run", args=[pk])


def _run_bar(point: RunPoint, *, position: float) -> Bar:
    status = SyncRun.Status(point.status).label
    return Bar(label=f"Run {point.pk}, {local_text(point.at)}", value=point.changes, href=_run_href(point.pk),
               failed=point.failed, secondary=point.seconds, position=min(max(position, 0.0), 1.0),
               detail=f"{status}: {point.changes} change{'s' if point.changes != 1 else ''}, {point.seconds:.1f} s")


def _slot_bars(points: list[RunPoint], start: datetime, slot: timedelta, span: timedelta) -> list[Bar]:
    count = int(span / slot)
    slots: list[list[RunPoint]] = [[] for _ in range(count)]
    for point in points:
        slots[min(int((point.at - start) / slot), count - 1)].append(point)
    bars = []
    for index, members in enumerate(slots):
        begins = start + index * slot
        if not members:
            bars.append(Bar(label=local_text(begins), value=0, detail="no run"))
            continue
        failed = [p for p in members if p.failed]
        telling = failed[-1] if failed else max(members, key=lambda p: (p.changes, p.at))
        changes = sum(p.changes for p in members)
        bars.append(Bar(
            label=local_text(begins), value=changes, href=_run_href(telling.pk), failed=bool(failed),
            secondary=max(p.seconds for p in members),
            detail=(f"{len(members)} runs, {len(failed)} failed, {changes} changes, longest "
                    f"{max(p.seconds for p in members):.1f} s; opens run {telling.pk}")))
    return bars
