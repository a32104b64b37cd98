"""Change notifications, wired together: settings, the subscription store, the change feed and the delivery worker.

The Emulator owns one Notifier; `attach(state)` hooks the directory, groups and mailboxes of a (new) State to the
change feed; `reset(state)` forgets every subscription and delivery and restores the start-up settings.
"""

import dataclasses
import math

from emulator.change_feed import ChangeFeed
from emulator.notify_delivery import DeliveryWorker
from emulator.subscription_rules import DEFAULT_MAX_MINUTES
from emulator.subscriptions import SubscriptionStore
from emulator.webhook_client import WebhookClient


@dataclasses.dataclass
class NotifySettings:
    allow_http: bool = False  # http://127.0.0.1 / localhost / [::1] notification URLs (Graph: https only)
    ca_bundle: str | None = None  # CA file trusted for https notification URLs (default: the system bundle)
    validation_timeout: float = 10.0  # Graph: the handshake must be answered within 10 s
    delivery_timeout: float = 3.0  # Graph: notifications must be answered 2xx within 3 s
    retry_initial: float = 1.0
    retry_factor: float = 2.0
    retry_max_delay: float = 300.0
    retry_window: float = 4 * 3600.0  # Graph: retries for up to 4 hours, then drops
    batch_size: int = 20  # notifications per POST for one URL
    max_minutes: dict = dataclasses.field(default_factory=lambda: dict(DEFAULT_MAX_MINUTES))
    quota_app_tenant: int = 100  # users (and, separately, groups) subscriptions per app and tenant
    quota_tenant: int = 1000  # per tenant across all apps
    quota_mailbox: int = 1000  # Outlook: active subscriptions per mailbox across all apps
    other_apps_directory: int = 0  # subscriptions other apps hold in this tenant (counted against quota_tenant)
    other_apps_per_mailbox: int = 0  # ... and on each mailbox (counted against quota_mailbox)
    allow_duplicates: bool = False  # Graph: 409 for a second subscription with the same resource and changeType

    NUMBERS = ("validation_timeout", "delivery_timeout", "retry_initial", "retry_factor", "retry_max_delay",
               "retry_window")
    COUNTS = ("batch_size", "quota_app_tenant", "quota_tenant", "quota_mailbox", "other_apps_directory",
              "other_apps_per_mailbox")

    def update(self, body: dict) -> None:
        """Apply a control-API change; every value is checked before any is applied (bad input: ValueError)."""
        known = set(self.NUMBERS) | set(self.COUNTS) | {"allow_http_notifications", "notification_ca", "max_minutes",
                                                         "allow_duplicates"}
        unknown = sorted(set(body) - known)
        if unknown:
            raise ValueError(f"unknown settings: {unknown}; known: {sorted(known)}")
        changes = {}
        for name in self.NUMBERS:
            if name in body:
                changes[name] = _number(name, body[name], minimum=1.0 if name == "retry_factor" else 0.0)
        for name in self.COUNTS:
            if name in body:
                changes[name] = int(_number(name, body[name], minimum=1 if name.startswith(("batch", "quota")) else 0,
                                            whole=True))
        for name, field in (("allow_http_notifications", "allow_http"), ("allow_duplicates", "allow_duplicates")):
            if name in body:
                if not isinstance(body[name], bool):
                    raise ValueError(f"{name} must be true or false")
                changes[field] = body[name]
        if "notification_ca" in body:
            if body["notification_ca"] is not None and not isinstance(body["notification_ca"], str):
                raise ValueError("notification_ca must be a file path or null")
            changes["ca_bundle"] = body["notification_ca"]
        if "max_minutes" in body:
            given = body["max_minutes"]
            if not isinstance(given, dict) or set(given) - set(DEFAULT_MAX_MINUTES):
                raise ValueError(f"max_minutes must be an object with keys among {sorted(DEFAULT_MAX_MINUTES)}")
            changes["max_minutes"] = {**self.max_minutes,
                                      **{k: int(_number(k, v, minimum=45, whole=True)) for k, v in given.items()}}
        for name, value in changes.items():
            setattr(self, name, value)

    def public(self) -> dict:
        data = dataclasses.asdict(self)
        data["allow_http_notifications"] = data.pop("allow_http")
        data["notification_ca"] = data.pop("ca_bundle")
        return data


def _number(name: str, value, *, minimum: float, whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < minimum:
        raise ValueError(f"{name} must be a number >= {minimum}")
    if whole and int(value) != value:
        raise ValueError(f"{name} must be a whole number")
    return value


class Notifier:
    def __init__(self, config):
        self.config = config
        self.settings = self._initial_settings()
        self.store = SubscriptionStore()
        self.webhooks = WebhookClient(self.settings)
        self.deliveries = DeliveryWorker(self.settings, self.webhooks)
        self.feed: ChangeFeed | None = None

    def _initial_settings(self) -> NotifySettings:
        return NotifySettings(allow_http=bool(getattr(self.config, "allow_http_notifications", False)),
                              ca_bundle=getattr(self.config, "notification_ca", None))

    def attach(self, state) -> None:
        self.feed = ChangeFeed(self.store, self.deliveries, state.tenant_id)
        state.users.listener = self.feed.on_change
        state.groups.listener = self.feed.on_change
        state.mailboxes.attach(self.feed.on_change)

    def reset(self, state) -> None:
        fresh = self._initial_settings()
        for field in dataclasses.fields(NotifySettings):
            setattr(self.settings, field.name, getattr(fresh, field.name))
        self.store.clear()
        self.deliveries.reset()
        self.attach(state)

    def stop(self) -> None:
        self.deliveries.stop()
