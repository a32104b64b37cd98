"""RunContext: what an executing run hands to its kind's executor (client, counters, event log, heartbeat)."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from integrations.graph import GraphClient
from integrations.models import EntraConnection
from integrations.sync.models import SyncEvent, SyncRun


class RunContext:
    def __init__(self, run: SyncRun, connection: EntraConnection, client: GraphClient, *, progress=None):
        self.run = run
        self.organization = run.organization
        self.connection = connection
        self.client = client
        self.counts: Counter[str] = Counter(run.counts or {})
        self.outcome: str = SyncRun.Status.SUCCEEDED
        self.outcome_message = ""
        self._events: list[SyncEvent] = []
        self._requests_at_start = client.request_count - run.graph_requests  # a resumed run keeps its count
        self._progress = progress  # optional callable(run) for terminals

    @property
    def graph_requests(self) -> int:
        return self.client.request_count - self._requests_at_start

    def add(self, **increments: int) -> None:
        for name, value in increments.items():
            self.counts[name] += value

    def event(self, action: str, *, subject_id: str = "", subject: str = "", number: str = "", before=None,
              after=None, reason: str = "") -> None:
        self._events.append(SyncEvent(run=self.run, organization_id=self.run.organization_id, action=action,
                                      subject_id=str(subject_id)[:64], subject=subject[:300], number=number or "",
                                      before=before, after=after, reason=reason))

    def flush(self, phase: str | None = None) -> None:
        """Write buffered events and the run's counters/heartbeat: a constant number of queries per page."""
        if self._events:
            SyncEvent.objects.bulk_create(self._events, batch_size=1000)
            self._events = []
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
