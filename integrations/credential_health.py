"""The daily credential check: test every connection, pause syncs on a rejected credential, warn before expiry."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q

from integrations.models import EntraConnection
from integrations.services import connection_test_run
from integrations.status import expires_within

logger = logging.getLogger(__name__)
WARNING_THRESHOLDS = (30, 7, 1)


def warning_due(days_left: int | None, last_warned: int | None) -> int | None:
    """The threshold (30, 7 or 1 days) to warn about now, if one has been crossed and not yet warned about."""
    if days_left is None:
        return None
    crossed = [t for t in WARNING_THRESHOLDS if days_left <= t]
    if not crossed:
        return None
    threshold = min(crossed)
    if last_warned is not None and last_warned <= threshold:
        return None
    return threshold


def configured_connection_ids() -> list[int]:
    return list(
        EntraConnection.objects.exclude(Q(tenant_id="") | Q(client_id="")).order_by("pk").values_list("pk", flat=True)
    )


def credential_health_check(*, connection: EntraConnection) -> str:
    if not connection.is_configured:
        return "not configured"
    outcome = connection_test_run(connection=connection)
    summary = "passed" if outcome.ok else f"failed: {outcome.first_failure.message}"
    threshold = warning_due(connection.days_until_expiry(), connection.last_expiry_warning_days)
    if threshold is not None:
        _send_expiry_warning(connection)
        connection.last_expiry_warning_days = threshold
        connection.save(update_fields=["last_expiry_warning_days", "updated_at"])
        summary += f"; expiry warning sent ({threshold} days)"
    return summary


def _send_expiry_warning(connection: EntraConnection) -> None:
    recipients = list(
        connection.organization.memberships.exclude(user__email="").values_list("user__email", flat=True)
    )
    if not recipients:
        logger.warning("No admin e-mail address for organization %s: expiry warning not mailed",
                       connection.organization_id)
        return
    expires = connection.credential_expires_at
    days = connection.days_until_expiry()
    when = "has expired" if connection.credential_expired() else f"expires {expires_within(days)}"
    send_mail(
        subject=f"[PBX portal] Microsoft Entra credential {when}",
        message=(
            f"The client credential your PBX uses to connect to Microsoft Entra ID {when} "
            f"(on {expires:%Y-%m-%d}).\n\n"
            "To keep user, contact and presence sync running:\n"
            "1. In the Microsoft Entra admin center open App registrations > your PBX app > Certificates & secrets.\n"
            "2. Create a new client secret and copy its Value.\n"
            "3. In the PBX portal open Integrations > Microsoft Entra ID, enter the new secret, Save and "
            "Test Connection.\n"
            "4. Delete the old secret in Entra.\n\n"
            f"{settings.PUBLIC_BASE_URL}/integrations/entra/\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
