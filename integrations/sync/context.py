"""RunContext: what an executing run hands to its kind's executor (client, counters, event log, heartbeat)."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from integrations.graph import GraphClient
from integrations.models import EntraConnection
from integrations.sync.bulk import insert_rows
from integrations.sync.models import SyncEvent, SyncRun

EVENT_COLUMNS = ["run_id", "organization_id", "action", "subject_id", "subject", "number", "before", "after", "reason",
                 "created_at"]


class EventLog:
    """A run's actions and counters as a sync records them: event() buffers one SyncEvent row, add() counts, and
    write_events() inserts what is buffered in one statement. RunContext (a run of the worker) and the SCIM
    request log (integrations.scim.log) keep their own counters on the run."""

    def __init__(self, run: SyncRun, counts: dict | None = None):
        self.run = run
        self.counts: Counter[str] = Counter(counts or {})
        self._events: list[tuple] = []

    def add(self, **increments: int) -> None:
        for name, value in increments.items():
            self.counts[name] += value

    def event(self, action: str, *, subject_id: str = "", subject: str = "", number: str = "", before=None,
              after=None, reason: str = "") -> None:
        self._events.append((self.run.pk, self.run.organization_id, action, str(subject_id)[:64], subject[:300],
                             number or "", before, after, reason, timezone.now()))

    def write_events(self) -> None:
        if self._events:
            insert_rows(SyncEvent, EVENT_COLUMNS, self._events, json_columns=("before", "after"))
            self._events = []


class RunContext(EventLog):
    def __init__(self, run: SyncRun, connection: EntraConnection, client: GraphClient, *, progress=None):
        super().__init__(run, run.counts)
        self.organization = run.organization
        self.connection = connection
        self.client = client
        self.outcome: str = SyncRun.Status.SUCCEEDED
        self.outcome_message = ""
        self._requests_at_start = client.request_count - run.graph_requests  # a resumed run keeps its count
        self._progress = progress  # optional callable(run) for terminals

    @property
    def graph_requests(self) -> int:
        return self.client.request_count - self._requests_at_start

    def flush(self, phase: str | None = None) -> None:
        """Write buffered events and the run's counters/heartbeat: a constant number of queries per page."""
        self.write_events()
        run = self.run
        if phase is not None:
            run.phase = phase[:200]
        run.counts = dict(self.counts)
        run.graph_requests = self.graph_requests
        run.heartbeat_at = timezone.now()
        SyncRun.objects.filter(pk=run.pk).update(counts=run.counts, graph_requests=run.graph_requests,
                                                 heartbeat_at=run.heartbeat_at, phase=run.phase)
        if self._progress:
            self._progress(run)
