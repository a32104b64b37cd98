"""Keeping an organization's subscriptions alive (Celery only: every function here may call Microsoft).

- ``subscriptions_maintain``: creates what the switched-on kinds want, removes what they no longer want, renews
  each subscription when half its lifetime has passed, retries failing ones. A kind whose subscriptions are all
  active polls only as a safety net (GRAPH_NOTIFICATION_SAFETY_NET_MINUTES); otherwise at its normal interval.
- ``subscription_lifecycle``: Graph's lifecycle events: ``missed`` -> a delta catch-up run; ``subscriptionRemoved``
  -> a catch-up run and a new subscription; ``reauthorizationRequired`` -> reauthorize (renew if that fails).
- ``subscriptions_retire`` (web, no Microsoft) and ``retired_subscriptions_delete`` (worker): the connection's app is
  going away (deleted, or replaced by another tenant or app): its subscriptions are forgotten here at once and
  deleted at Microsoft by a worker with the old credential, sealed before it is replaced.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from integrations.connection_client import graph_client_for, graph_client_for_sealed, sealed_credentials
from integrations.graph import AuthenticationFailed, GraphClientError, GraphError, NotFound, PermissionDenied
from integrations.graph.subscriptions import (
    create_subscription,
    delete_subscription,
    list_subscriptions,
    max_lifetime,
    reauthorize_subscription,
    renew_subscription,
    required_permission,
)
from integrations.models import EntraConnection
from integrations.sync.failures import describe_failure
from integrations.sync.models import SyncKind, SyncRun, SyncSchedule
from integrations.sync.realtime.models import Subscription
from integrations.sync.realtime.registry import TARGETS, wanted_for
from integrations.sync.realtime.settings_switch import lifecycle_url, notification_url, realtime_enabled
from integrations.sync.registry import why_not_runnable
from integrations.sync.runs import run_request
from pbx_portal import jobs

logger = logging.getLogger(__name__)
Status = Subscription.Status
RETRY_AFTER = timedelta(minutes=5)  # a failing subscription is tried again this soon (polling meanwhile)
EXPIRY_MARGIN = timedelta(minutes=5)  # asked-for expiry stays this far inside Graph's maximum


def subscriptions_maintain(organization, *, force_renew: bool = False, now=None) -> dict:
    """Bring the organization's subscriptions in line with its switches. Returns counts for the task's log."""
    now = now or timezone.now()
    connection = EntraConnection.objects.filter(organization=organization).first()
    outcome = {"created": 0, "renewed": 0, "removed": 0, "failed": 0}
    wanted = {}
    for kind in TARGETS:
        if connection is not None and why_not_runnable(connection, kind) is None \
                and realtime_enabled(organization, kind):
            for item in wanted_for(organization, kind):
                wanted[item.target.resource] = (kind, item)
    rows = {row.resource: row for row in Subscription.objects.filter(organization=organization)}
    client = graph_client_for(connection) if connection is not None and (wanted or rows) else None
    for resource, row in rows.items():
        if resource not in wanted:
            _remove(client, row)
            outcome["removed"] += 1
    for resource, (kind, item) in wanted.items():
        row = rows.get(resource) or Subscription(organization=organization, kind=kind, resource=resource,
                                                 change_type=item.target.change_type, target_key=item.key)
        due = row.pk is None or not row.graph_id or row.status != Status.ACTIVE or force_renew \
            or row.expires_at is None or row.expires_at - now < max_lifetime(resource) / 2
        if not due:
            continue
        outcome[_refresh(client, connection, row, now=now) or "failed"] += 1
    for kind in {kind for kind, _item in wanted.values()} | {row.kind for row in rows.values()}:
        apply_safety_net(organization, kind)
    return outcome


def apply_safety_net(organization, kind: str) -> None:
    """Polling becomes the safety net while every subscription of the kind is active; otherwise it is the way."""
    kinds = Subscription.objects.filter(organization=organization, kind=kind)
    healthy = kinds.exists() and not kinds.exclude(status=Status.ACTIVE).exists()
    value = settings.GRAPH_NOTIFICATION_SAFETY_NET_MINUTES * 60 if healthy else None
    SyncSchedule.objects.filter(organization=organization, kind=kind).exclude(safety_net_seconds=value).update(
        safety_net_seconds=value)
    if not healthy:  # back to the normal interval at once, not after the safety net's long wait
        for schedule in SyncSchedule.objects.filter(organization=organization, kind=kind, next_run_at__isnull=False):
            soonest = timezone.now() + timedelta(seconds=schedule.interval_seconds)
            if schedule.next_run_at > soonest:
                SyncSchedule.objects.filter(pk=schedule.pk).update(next_run_at=soonest)


def subscription_lifecycle(subscription_pk: int, event: str) -> str:
    row = Subscription.objects.select_related("organization").filter(pk=subscription_pk).first()
    if row is None:
        return "gone"
    connection = EntraConnection.objects.filter(organization=row.organization).first()
    if connection is None:
        return "no connection"
    if event == "reauthorizationRequired":
        try:
            reauthorize_subscription(graph_client_for(connection), row.graph_id)
        except GraphClientError:
            logger.info("Reauthorizing subscription %s failed; renewing it instead", row.pk)
            return _refresh(graph_client_for(connection), connection, row) or "failed"
        Subscription.objects.filter(pk=row.pk).update(status=Status.ACTIVE, error="", renewed_at=timezone.now())
        apply_safety_net(row.organization, row.kind)
        return "reauthorized"
    catch_up(row)
    if event == "subscriptionRemoved":
        Subscription.objects.filter(pk=row.pk).update(status=Status.REMOVED, graph_id="",
                                                      error="Microsoft removed this subscription; replacing it.")
        row.refresh_from_db()
        apply_safety_net(row.organization, row.kind)
        return "replaced" if _refresh(graph_client_for(connection), connection, row) else "failed"
    return "caught up"


def catch_up(row: Subscription) -> None:
    """Notifications may have been lost: the kind's normal delta run reads whatever changed."""
    if why_not_runnable(EntraConnection.objects.filter(organization=row.organization).first(), row.kind) is None:
        run_request(organization=row.organization, kind=row.kind, trigger=SyncRun.Trigger.NOTIFICATION,
                    options={"mailboxes": [row.target_key]} if row.target_key else {})


def subscriptions_remove_all(organization) -> int:
    """Delete every subscription at Graph (best effort) and here: the connection is going away."""
    rows = list(Subscription.objects.filter(organization=organization))
    connection = EntraConnection.objects.filter(organization=organization).first()
    client = graph_client_for(connection) if connection is not None and connection.is_configured and rows else None
    for row in rows:
        _remove(client, row)
    return len(rows)


def subscriptions_retire(connection: EntraConnection) -> None:
    """Hook of integrations.retiring, in the transaction that deletes or replaces the connection (web: no Microsoft
    here). The subscriptions are forgotten now, so nothing renews them with the new credential and their
    notifications are dropped; a worker deletes them at Microsoft with the old credential, sealed here."""
    rows = list(Subscription.objects.filter(organization_id=connection.organization_id))
    graph_ids = sorted({row.graph_id for row in rows if row.graph_id})
    Subscription.objects.filter(pk__in=[row.pk for row in rows]).delete()
    for kind in {row.kind for row in rows}:
        apply_safety_net(connection.organization, kind)  # polling at the normal interval again
    if graph_ids and connection.is_configured:
        jobs.enqueue("realtime.delete_retired", connection.organization_id, sealed_credentials(connection), graph_ids)


def retired_subscriptions_delete(organization_id: int, sealed: str, graph_ids: list[str]) -> dict:
    """DELETE each subscription at Microsoft with the retired credential; one already gone (404) counts as gone.
    What cannot be deleted expires on its own (within Graph's maximum lifetime); its notifications are dropped."""
    outcome = {"deleted": 0, "gone": 0, "failed": 0}
    try:
        client = graph_client_for_sealed(sealed)
    except (ImproperlyConfigured, ValueError):
        logger.warning("Retired credential of organization %s unreadable (expired in the queue?): %d subscription(s) "
                       "left to expire at Microsoft", organization_id, len(graph_ids))
        outcome["failed"] = len(graph_ids)
        return outcome
    for position, graph_id in enumerate(graph_ids):
        try:
            delete_subscription(client, graph_id)
            outcome["deleted"] += 1
        except NotFound:
            outcome["gone"] += 1
        except AuthenticationFailed as exc:  # the old secret already revoked: no other deletion can work
            logger.warning("Retired credential of organization %s refused (%s): %d subscription(s) left to expire at "
                           "Microsoft", organization_id, exc, len(graph_ids) - position)
            outcome["failed"] += len(graph_ids) - position
            break
        except GraphClientError as exc:
            logger.warning("Deleting retired subscription %s of organization %s failed (it expires on its own): %s",
                           graph_id, organization_id, exc)
            outcome["failed"] += 1
    return outcome


# -- internals ----------------------------------------------------------------------------------------------------
def _refresh(client, connection, row: Subscription, *, now=None) -> str | None:
    """Renew (or create) one subscription: "renewed", "created", or None when it failed (marked failing with the
    reason the admin should read)."""
    now = now or timezone.now()
    expires = now + max_lifetime(row.resource) - EXPIRY_MARGIN
    try:
        if row.graph_id:
            try:
                answer = renew_subscription(client, row.graph_id, expires=expires)
            except NotFound:  # expired or removed at Graph: a new one
                row.graph_id = ""
        if not row.graph_id:
            answer = _create(client, row, expires)
            row.tenant_id = connection.expected_tenant_id or row.tenant_id
    except GraphClientError as exc:
        row.status, row.error = Status.FAILING, describe_failure(exc, connection)
        if isinstance(exc, PermissionDenied):
            row.error = (f"Microsoft Graph refused the subscription: it needs the application permission "
                         f"{required_permission(row.resource)} (grant it and give admin consent).")
        _save(row)
        logger.warning("Subscription to %s for organization %s failed: %s", row.resource, row.organization_id, exc)
        apply_safety_net(row.organization, row.kind)
        return None
    created = row.graph_id != answer.id
    row.graph_id, row.expires_at, row.status, row.error, row.renewed_at = (
        answer.id, answer.expires, Status.ACTIVE, "", now)
    _save(row)
    apply_safety_net(row.organization, row.kind)
    if created:
        catch_up(row)  # whatever changed while no subscription covered it
    return "created" if created else "renewed"


def _create(client, row: Subscription, expires):
    secret = row.new_client_state()
    kwargs = {"resource": row.resource, "change_type": row.change_type, "notification_url": notification_url(),
              "lifecycle_notification_url": lifecycle_url(), "expires": expires}
    if row.pk is None:
        _save(row)  # the hash must be stored before Graph can deliver the first notification
    else:
        Subscription.objects.filter(pk=row.pk).update(client_state_hash=row.client_state_hash)
    try:
        return create_subscription(client, client_state=secret, **kwargs)
    except GraphError as exc:
        if exc.status != 409:
            raise
    # This app already holds one for the resource (a row lost here, or a half-finished attempt): replace it.
    for existing in list_subscriptions(client):
        if existing.resource.lower() == row.resource.lower() and existing.notification_url == notification_url():
            _delete_quietly(client, existing.id)
    return create_subscription(client, client_state=secret, **kwargs)


def _remove(client, row: Subscription) -> None:
    if client is not None and row.graph_id:
        _delete_quietly(client, row.graph_id)
    Subscription.objects.filter(pk=row.pk).delete()
    apply_safety_net(row.organization, row.kind)


def _delete_quietly(client, graph_id: str) -> None:
    try:
        delete_subscription(client, graph_id)
    except NotFound:
        pass
    except GraphClientError as exc:
        logger.warning("Deleting subscription %s failed (it expires on its own): %s", graph_id, exc)


def _save(row: Subscription) -> None:
    with transaction.atomic():
        row.save()


def kind_label(kind: str) -> str:
    return SyncKind(kind).label if kind in SyncKind.values else kind
