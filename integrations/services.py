"""Writes to the Entra connection: save settings, run Test Connection, record the outcome. Each change is audited."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.connection_check import ConnectionCheckOutcome, connection_check
from integrations.graph import forget_client
from integrations.models import GUID_RE, EntraConnection
from integrations.retiring import connection_retiring, same_app
from organizations.audit import audit_record, field_changes
from organizations.models import Organization
from pbx_portal import jobs

logger = logging.getLogger(__name__)

# Secrets (and the bulky certificate) are audited as "(changed)", never by value.
REDACTED_FIELDS = frozenset({"client_secret", "certificate_private_key", "certificate_pem"})
CREDENTIAL_FIELDS = frozenset({"tenant_id", "client_id", "credential_type", "client_secret",
                               "certificate_private_key", "certificate_pem", "certificate_thumbprint"})
AUDITED_FIELDS = ("tenant_id", "client_id", "credential_type", "client_secret", "secret_expires_on",
                  "certificate_private_key", "certificate_pem", "certificate_thumbprint",
                  *EntraConnection.FEATURE_FIELDS)


def connection_for(organization: Organization) -> EntraConnection:
    """The organization's connection, or an unsaved blank one."""
    return EntraConnection.objects.filter(organization=organization).first() or EntraConnection(
        organization=organization
    )


def _snapshot(connection: EntraConnection) -> dict:
    return {name: getattr(connection, name) for name in AUDITED_FIELDS}


@transaction.atomic
def connection_save(*, connection: EntraConnection, cleaned_data: dict, certificate, actor) -> EntraConnection:
    """Apply a validated form. Empty secret fields keep the stored secret; the other credential is cleared."""
    # The form already wrote its input onto `connection`: compare with what is stored.
    stored = EntraConnection.objects.filter(pk=connection.pk).first() if connection.pk else None
    before = _snapshot(stored) if stored else {}
    previous_app = (stored.tenant_id, stored.client_id) if stored else ("", "")
    for name in ("tenant_id", "client_id", "credential_type", "secret_expires_on", *EntraConnection.FEATURE_FIELDS):
        if name in cleaned_data:
            setattr(connection, name, cleaned_data[name])
    if connection.credential_type == EntraConnection.CredentialType.SECRET:
        if cleaned_data.get("client_secret"):
            connection.client_secret = cleaned_data["client_secret"]
        connection.certificate_private_key = connection.certificate_pem = connection.certificate_thumbprint = ""
        connection.certificate_expires_at = None
    else:
        connection.certificate_private_key = certificate.private_key_pem
        connection.certificate_pem = certificate.certificate_pem
        connection.certificate_thumbprint = certificate.thumbprint
        connection.certificate_expires_at = certificate.not_after
        connection.client_secret = ""
        connection.secret_expires_on = None
    changes = field_changes(before, _snapshot(connection), secret_fields=REDACTED_FIELDS)
    if CREDENTIAL_FIELDS & changes.keys() or not connection.pk:
        connection.credentials_changed_at = timezone.now()
        connection.status = EntraConnection.Status.UNTESTED
        connection.status_detail = ""
        connection.syncs_paused = False
        connection.graph_secret_expires_at = None
        connection.last_expiry_warning_days = None
        connection.directory_tenant_id = ""  # another tenant or app: its directory facts must be read again
        connection.verified_domains = []
        connection.app_redirect_uris = None
    if "secret_expires_on" in changes:
        connection.last_expiry_warning_days = None
    if stored is not None and not same_app(stored, connection.tenant_id, connection.client_id):
        connection_retiring(stored)  # another tenant or app from now on: undo the old one's work with its credential
    connection.save()
    transaction.on_commit(lambda: _forget_clients(previous_app, (connection.tenant_id, connection.client_id)))
    if changes:
        audit_record(organization=connection.organization, actor=actor, action="entra.connection_changed",
                     target="Microsoft Entra ID connection", changes=changes)
    return connection


def _forget_clients(*apps) -> None:
    for tenant_id, client_id in apps:
        if tenant_id and client_id:
            forget_client(tenant_id, client_id)


def connection_test_start(*, connection: EntraConnection, actor) -> bool:
    """Queue Test Connection for a worker unless one is already running; False (and nothing queued) if one is.

    A test queued more than CONNECTION_TEST_STALE_AFTER seconds ago that never finished (its worker died) does not
    block a new one. The claim is one conditional UPDATE, so two admins clicking at once start one test.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.CONNECTION_TEST_STALE_AFTER)
    claimed = EntraConnection.objects.filter(pk=connection.pk).filter(
        Q(test_started_at__isnull=True) | Q(test_started_at__lt=stale_before)
    ).update(test_started_at=now, test_progress=[])
    connection.refresh_from_db(fields=["test_started_at", "test_progress"])
    if not claimed:
        return False
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    jobs.enqueue("integrations.tasks.run_connection_test", connection.pk, actor_id)
    return True


def connection_test_is_stale(connection: EntraConnection, now=None) -> bool:
    started = connection.test_started_at
    return started is not None and (now or timezone.now()) - started > timedelta(
        seconds=settings.CONNECTION_TEST_STALE_AFTER)


def _save_progress(connection_id: int, checks: list[dict]) -> None:
    EntraConnection.objects.filter(pk=connection_id).update(test_progress=checks)


def connection_test_run(*, connection: EntraConnection, actor=None) -> ConnectionCheckOutcome:
    """Run Test Connection (in a worker, or an operator's command) and store its outcome as the connection's status.

    Each check is saved as it completes, for the page to show; Retry-After waits end at CONNECTION_TEST_DEADLINE.
    """
    try:
        outcome = connection_check(connection, deadline=settings.CONNECTION_TEST_DEADLINE,
                                  on_check=lambda checks: _save_progress(connection.pk, checks))
    except BaseException:
        EntraConnection.objects.filter(pk=connection.pk).update(test_started_at=None)
        raise
    connection.test_started_at = None
    connection.last_tested_at = timezone.now()
    connection.last_test_results = outcome.as_json()
    if outcome.ok:
        connection.status = EntraConnection.Status.CONNECTED
        connection.status_detail = ""
    else:
        connection.status = EntraConnection.Status.ERROR
        connection.status_detail = outcome.first_failure.message
    connection.syncs_paused = outcome.credential_rejected
    if outcome.graph_secret_expires_at:
        connection.graph_secret_expires_at = outcome.graph_secret_expires_at
    if outcome.tenant_guid and GUID_RE.match(outcome.tenant_guid):
        connection.directory_tenant_id = outcome.tenant_guid
    if outcome.verified_domains is not None:
        connection.verified_domains = outcome.verified_domains
    if outcome.app_redirect_uris is not None:
        connection.app_redirect_uris = outcome.app_redirect_uris
    connection.save(update_fields=["last_tested_at", "last_test_results", "test_started_at", "status", "status_detail",
                                   "syncs_paused", "graph_secret_expires_at", "directory_tenant_id",
                                   "verified_domains", "app_redirect_uris", "updated_at"])
    audit_record(organization=connection.organization, actor=actor, action="entra.connection_tested",
                 target="Microsoft Entra ID connection",
                 changes={"result": [None, "passed" if outcome.ok else "failed"]})
    logger.info("Test Connection for organization %s: %s", connection.organization_id,
                "passed" if outcome.ok else f"failed ({outcome.first_failure.key})")
    return outcome
