"""Reads for the Entra page: the recent changes in words an admin knows, and the Test Connection state."""

from django.utils.text import capfirst

from integrations.models import EntraConnection
from integrations.services import AUDITED_FIELDS, connection_test_is_stale
from integrations.status import connection_badge
from organizations.audit import FIELD_WORDS, audit_field_words
from organizations.models import AuditEntry, Organization

FIELD_LABELS = {"certificate_pem": "Certificate (PEM)", "secret_expires_on": "Secret expiry date"}


ACTION_WORDS = {"entra.user_sync_changed": "User Synchronization: changed", "entra.connection_changed": "Changed",
                "entra.syncs_paused": "Syncs paused: the credential was rejected"}


def field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    if name in FIELD_WORDS:
        return FIELD_WORDS[name]
    try:
        return capfirst(EntraConnection._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field since removed keeps its stored name
        return audit_field_words(name)


def recent_changes(*, organization: Organization, limit: int = 10) -> list[dict]:
    """The organization's own Entra audit entries, newest first, each described for an admin."""
    entries = AuditEntry.objects.filter(organization=organization, action__startswith="entra.").select_related(
        "actor")[:limit]
    rows = []
    for entry in entries:
        if entry.action == "entra.connection_tested":
            what = f"Tested: {(entry.changes.get('result') or [None, '?'])[1]}"
        else:
            # In the form's order (PostgreSQL's jsonb does not keep the order the keys were written in).
            names = sorted(entry.changes, key=lambda n: AUDITED_FIELDS.index(n) if n in AUDITED_FIELDS else 99)
            if entry.action == "entra.syncs_paused":
                what = ACTION_WORDS[entry.action]
            else:
                what = ACTION_WORDS.get(entry.action, "Changed") + " " + ", ".join(field_label(n) for n in names)
        rows.append({"created_at": entry.created_at, "actor": entry.actor, "what": what})
    return rows


def connection_test_state(connection: EntraConnection) -> dict:
    """What the Test Connection section shows, as JSON for the page's poller."""
    running = connection.test_started_at is not None
    stale = connection_test_is_stale(connection)
    badge = connection_badge(connection)
    return {
        "configured": bool(connection.pk and connection.is_configured),
        "running": running and not stale,
        "stale": stale,
        "started_at": connection.test_started_at.isoformat() if running else None,
        "tested_at": connection.last_tested_at.isoformat() if connection.last_tested_at else None,
        "ok": None if not connection.last_tested_at else connection.status == EntraConnection.Status.CONNECTED,
        "checks": connection.test_progress if running else connection.last_test_results,
        "badge": {"level": badge.level, "text": page_badge_text(connection, badge), "short": badge.short},
    }


def page_badge_text(connection: EntraConnection, badge) -> str:
    """The Entra page's own badge: an error's detail is said once, in the failed check, not here as well."""
    if connection.status == EntraConnection.Status.ERROR and connection.last_test_results:
        return "Error: see the failed check"
    return badge.text
