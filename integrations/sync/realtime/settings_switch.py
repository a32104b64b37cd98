"""The "Near real-time updates" switch of a sync kind: where notifications can reach the portal, and whether the
admin wants them. Read by the settings pages and the maintenance service (no Graph here)."""

from django.conf import settings
from django.urls import reverse

from integrations.sync.realtime.models import RealtimeSwitch
from organizations.audit import audit_record
from pbx_portal import jobs

NOTIFICATIONS_PATH = "realtime:notifications"
LIFECYCLE_PATH = "realtime:lifecycle"


def notification_base() -> str:
    return (settings.GRAPH_NOTIFICATION_URL or settings.PUBLIC_BASE_URL).rstrip("/")


def notification_url() -> str:
    return notification_base() + reverse(NOTIFICATIONS_PATH)


def lifecycle_url() -> str:
    return notification_base() + reverse(LIFECYCLE_PATH)


def reachable_by_microsoft() -> bool:
    """Graph only calls HTTPS URLs (GRAPH_NOTIFICATION_ALLOW_HTTP: a local emulator started with
    --allow-http-notifications)."""
    base = notification_base().lower()
    return base.startswith("https://") or (settings.GRAPH_NOTIFICATION_ALLOW_HTTP and base.startswith("http://"))


def default_enabled() -> bool:
    return notification_base().lower().startswith("https://")


def realtime_enabled(organization, kind: str) -> bool:
    """The admin's choice (the default when never set), and only where Microsoft can reach the portal."""
    if not reachable_by_microsoft():
        return False
    choice = RealtimeSwitch.objects.filter(organization=organization, kind=kind).values_list("enabled", flat=True)
    return next(iter(choice), default_enabled())


def realtime_switch_value(organization, kind: str) -> bool:
    """What the page's switch shows (the stored choice, or the default)."""
    choice = RealtimeSwitch.objects.filter(organization=organization, kind=kind).values_list("enabled", flat=True)
    return next(iter(choice), default_enabled())


def realtime_switch_set(*, organization, kind: str, enabled: bool, actor) -> bool:
    """The admin's choice; the subscriptions follow in the background (realtime.maintain). True when it changed."""
    before = realtime_switch_value(organization, kind)
    RealtimeSwitch.objects.update_or_create(organization=organization, kind=kind, defaults={"enabled": enabled})
    if before != enabled:
        audit_record(organization=organization, actor=actor, action="realtime.switched",
                     target=f"Near real-time updates ({kind})", changes={"enabled": [before, enabled]})
    realtime_refresh_request(organization)
    return before != enabled


def realtime_refresh_request(organization) -> None:
    """Settings that change what is subscribed to were saved (switch, group scope, mailboxes): upkeep runs soon."""
    jobs.enqueue("realtime.maintain", organization.pk)
