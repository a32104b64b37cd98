"""The subscriptions Graph holds: records, expiry, duplicates and quotas (no HTTP here; one lock of its own).

Lock order: State.lock may be held when this store's lock is taken (the change feed runs inside directory changes),
never the other way round.
"""

import dataclasses
import datetime as dt
import threading

from emulator.subscription_rules import ResourceForm, invalid
from emulator.util import utcnow


def graph_time(ts: dt.datetime) -> str:
    """Graph's subscription timestamps carry 7 fractional digits: 2016-11-20T18:23:45.9356913Z."""
    ts = ts.astimezone(dt.UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond:06d}0Z"


@dataclasses.dataclass
class Subscription:
    id: str
    resource: str  # as the caller wrote it (Graph echoes it)
    form: ResourceForm
    target_id: str | None  # the user / group / mailbox owner id the resource names (None for "users", "groups")
    change_type: str
    notification_url: str
    lifecycle_url: str | None
    client_state: str | None
    expires: dt.datetime
    app_id: str
    creator_id: str
    tls_version: str
    created: dt.datetime = dataclasses.field(default_factory=utcnow)
    pause_at: dt.datetime | None = None  # reauthorizationRequired: deliveries stop from here until reauthorized

    @property
    def change_types(self) -> frozenset:
        return frozenset(self.change_type.split(","))

    @property
    def quota_kind(self) -> str:
        return "users" if self.form.form in ("users", "user") else "groups" if self.form.form.startswith("group") \
            else "mailbox"

    def paused(self, now: dt.datetime) -> bool:
        return self.pause_at is not None and now >= self.pause_at

    def graph(self, base_url: str, *, with_client_state: bool = True) -> dict:
        return {
            "@odata.context": f"{base_url}/v1.0/$metadata#subscriptions/$entity", "id": self.id,
            "resource": self.resource, "applicationId": self.app_id, "changeType": self.change_type,
            "clientState": self.client_state if with_client_state else None,
            "notificationUrl": self.notification_url, "notificationQueryOptions": None,
            "lifecycleNotificationUrl": self.lifecycle_url, "expirationDateTime": graph_time(self.expires),
            "creatorId": self.creator_id, "includeResourceData": False, "latestSupportedTlsVersion": self.tls_version,
            "encryptionCertificate": None, "encryptionCertificateId": None, "notificationUrlAppId": None,
        }


def not_found(subscription_id: str):
    return invalid(f"The subscription '{subscription_id}' was not found.", "ResourceNotFound", 404)


def _dedupe_key(sub: Subscription) -> tuple:
    return sub.app_id.lower(), sub.resource.strip().strip("/").lower(), sub.change_types


class SubscriptionStore:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_id: dict[str, Subscription] = {}

    def clear(self) -> None:
        with self.lock:
            self.by_id.clear()

    def live(self, now: dt.datetime | None = None) -> list[Subscription]:
        """Unexpired subscriptions (an expired one is deleted, as Graph does)."""
        now = now or utcnow()
        with self.lock:
            for sub_id in [i for i, s in self.by_id.items() if s.expires <= now]:
                del self.by_id[sub_id]
            return list(self.by_id.values())

    def get(self, subscription_id: str, app_id: str | None = None) -> Subscription:
        """The caller's live subscription, else 404 (another app's subscription is not visible either)."""
        for sub in self.live():
            if sub.id == subscription_id.lower() and (app_id is None or sub.app_id.lower() == app_id.lower()):
                return sub
        raise not_found(subscription_id)

    def add(self, sub: Subscription, settings) -> None:
        """Insert after the duplicate and quota checks (made here, under the lock, so concurrent creates agree)."""
        live = self.live()
        with self.lock:
            for other in [] if settings.allow_duplicates else live:
                if _dedupe_key(other) == _dedupe_key(sub):
                    raise invalid(f"Subscription Id {other.id} already exists for the requested combination",
                                  "Conflict", 409)
            _check_quotas(sub, live, settings)
            self.by_id[sub.id] = sub

    def remove(self, subscription_id: str) -> Subscription | None:
        with self.lock:
            return self.by_id.pop(subscription_id.lower(), None)


def _check_quotas(sub: Subscription, live: list[Subscription], settings) -> None:
    def refuse(reason: str):
        return invalid(f"Operation: Create; Exception: [Status Code: Forbidden; Reason: Subscription quota exceeded: "
                       f"{reason}]", "ExtensionError", 403)

    kind = sub.quota_kind
    same_kind = [s for s in live if s.quota_kind == kind]
    if kind == "mailbox":
        on_mailbox = [s for s in same_kind if s.target_id == sub.target_id]
        if len(on_mailbox) + settings.other_apps_per_mailbox >= settings.quota_mailbox:
            raise refuse(f"at most {settings.quota_mailbox} active subscriptions per mailbox for all applications.")
        return
    mine = [s for s in same_kind if s.app_id.lower() == sub.app_id.lower()]
    if len(mine) >= settings.quota_app_tenant:
        raise refuse(f"at most {settings.quota_app_tenant} {kind} subscriptions per app and tenant.")
    if len(same_kind) + settings.other_apps_directory >= settings.quota_tenant:
        raise refuse(f"at most {settings.quota_tenant} {kind} subscriptions per tenant across all apps.")
