"""What the notification endpoint does with a POST from Graph, in milliseconds: one SELECT for the batch's
subscriptions, then counters and coalescing marks in the cache and at most one task per (organization, kind,
mailbox) per COALESCE window. No Graph call, no per-change database work; a notification is a claim that something
changed, never data to apply: it only ever triggers a delta read.

Each item is checked: the subscription is ours, its clientState matches the secret's hash (constant time) and the
tenant it names is the subscription's. Anything else is dropped and counted (``dropped_counts``).
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

from integrations.graph.subscriptions import ChangeNotification, parse_notifications
from integrations.sync.realtime.models import Subscription
from pbx_portal import jobs

logger = logging.getLogger(__name__)

DROP_REASONS = ("unknown", "forged", "wrong_tenant", "not_lifecycle", "lifecycle_on_change_url")
_FIELDS = ("pk", "organization_id", "kind", "target_key", "graph_id", "tenant_id", "client_state_hash")


@dataclass
class Receipt:
    accepted: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    triggered: int = 0

    def drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1


def receive(body: bytes, *, lifecycle: bool) -> Receipt:
    """Check and record a notification POST. ValueError when the body is not a notification at all."""
    items = parse_notifications(body)
    rows = _subscriptions({item.subscription_id for item in items})
    receipt = Receipt()
    seen: Counter[int] = Counter()
    marks: dict[str, Subscription] = {}
    for item in items:
        row = rows.get(item.subscription_id)
        reason = _problem(item, row, lifecycle=lifecycle)
        if reason:
            receipt.drop(reason)
            _count_drop(reason, row)
            continue
        receipt.accepted += 1
        seen[row.pk] += 1
        if lifecycle:
            receipt.triggered += _queue_lifecycle(row, item.lifecycle_event)
        else:
            marks.setdefault(_mark_key(row), row)
    window = settings.GRAPH_NOTIFICATION_COALESCE_SECONDS
    now = timezone.now().isoformat()
    for mark in _count_and_mark(seen, list(marks), ttl=max(1, math.ceil(window))):
        # The first notification of a window queues the (organization, kind, mailbox) run task, due when the
        # window closes; the rest of the window's notifications are coalesced into it (counted, see coalesce.py).
        row = marks[mark]
        jobs.enqueue_later("realtime.notified", window, row.organization_id, row.kind, row.target_key, now)
        receipt.triggered += 1
    if receipt.dropped:
        logger.warning("Dropped change notification(s): %s", receipt.dropped)
    return receipt


# Subscriptions already looked up by this process (never the unknown ones: a subscription Graph just created may
# notify before its id is stored). A graph id always names the same secret and tenant (a new secret means a new
# subscription), so a cached row can only be one that was deleted meanwhile: its notifications then trigger a read,
# never a write, for at most LOOKUP_TTL seconds.
LOOKUP_TTL = 60.0
LOOKUP_MAX = 50_000
_looked_up: dict[str, tuple[float, Subscription]] = {}


def _subscriptions(ids: set[str]) -> dict[str, Subscription]:
    """The batch's subscriptions by graph id: from this process's memory, else one SELECT for the rest."""
    now = time.monotonic()
    found, missing = {}, []
    for graph_id in ids:
        cached = _looked_up.get(graph_id)
        if cached and cached[0] > now:
            found[graph_id] = cached[1]
        else:
            missing.append(graph_id)
    if missing:
        if len(_looked_up) > LOOKUP_MAX:
            _looked_up.clear()
        for row in Subscription.objects.filter(graph_id__in=missing).exclude(graph_id="").only(*_FIELDS):
            found[row.graph_id] = row
            _looked_up[row.graph_id] = (now + LOOKUP_TTL, row)
    return found


def forget_looked_up(graph_id: str | None = None) -> None:
    """Drop one (or every) remembered subscription: its row changed (post_save, post_delete) or a test said so."""
    if graph_id is None:
        _looked_up.clear()
    else:
        _looked_up.pop(graph_id, None)


def _problem(item: ChangeNotification, row: Subscription | None, *, lifecycle: bool) -> str | None:
    if row is None:
        return "unknown"
    if not row.client_state_matches(item.client_state):
        return "forged"
    if not row.tenant_id or (item.tenant_id or "").lower() != row.tenant_id.lower():
        return "wrong_tenant"
    if lifecycle and not item.lifecycle_event:
        return "not_lifecycle"
    if not lifecycle and item.lifecycle_event:
        return "lifecycle_on_change_url"
    return None


# -- cache keys ---------------------------------------------------------------------------------------------------
def seen_key(subscription_pk: int) -> str:
    return f"realtime:seen:{subscription_pk}"


def dropped_key(reason: str, organization_id: int | None = None, kind: str = "") -> str:
    return f"realtime:dropped:{organization_id or 'any'}:{reason}" + (f":{kind}" if kind else "")


def _mark_key(row: Subscription) -> str:
    return f"realtime:pending:{row.organization_id}:{row.kind}:{row.target_key}"


def _incr(key: str, by: int = 1) -> None:
    try:
        cache.incr(key, by)
    except ValueError:  # the first one: create it (or count on a counter another request just created)
        if not cache.add(key, by, timeout=None):
            cache.incr(key, by)


def _count_and_mark(seen: Counter, marks: list[str], *, ttl: int) -> list[str]:
    """Add the subscriptions' counts and set the coalescing marks; returns the marks this request set (no other
    request holds them). On Redis: one round trip for all of it."""
    if not seen and not marks:
        return []
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        for pk, count in seen.items():
            _incr(seen_key(pk), count)
        return [mark for mark in marks if cache.add(mark, 1, timeout=ttl)]
    with backend._cache.get_client(write=True).pipeline(transaction=False) as pipe:
        for pk, count in seen.items():
            pipe.incrby(backend.make_and_validate_key(seen_key(pk)), count)
        for mark in marks:
            pipe.set(backend.make_and_validate_key(mark), 1, nx=True, ex=ttl)
        results = pipe.execute()
    return [mark for mark, was_set in zip(marks, results[len(seen):], strict=True) if was_set]


def _count_drop(reason: str, row: Subscription | None) -> None:
    _incr(dropped_key(reason))
    if row is not None:
        _incr(dropped_key(reason, row.organization_id))
        _incr(dropped_key(reason, row.organization_id, row.kind))


def dropped_counts(organization_id: int | None = None, kind: str = "") -> dict[str, int]:
    """Notifications dropped, by reason: all of them, one organization's, or one organization's of one kind."""
    keys = {reason: dropped_key(reason, organization_id, kind) for reason in DROP_REASONS}
    values = cache.get_many(list(keys.values()))
    return {reason: int(values.get(key) or 0) for reason, key in keys.items()}


def _queue_lifecycle(row: Subscription, event: str) -> int:
    if not cache.add(f"realtime:lifecycle:{row.pk}:{event}", 1, timeout=5):
        return 0  # Graph retried a delivery we already took
    jobs.enqueue("realtime.lifecycle", row.pk, event)
    return 1
