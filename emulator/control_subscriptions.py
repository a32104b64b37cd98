"""Control API for change notifications (/_emulator/subscriptions...): settings, lifecycle events, expiry and the
log of deliveries. Registered by emulator.control; handlers run under State.lock like every control call."""

import datetime as dt

from emulator.change_feed import lifecycle_notification
from emulator.util import utcnow

LIFECYCLE_EVENTS = ("missed", "subscriptionRemoved", "reauthorizationRequired")
OUTLOOK_ONLY = ("missed", "subscriptionRemoved")


def register(router) -> None:
    from emulator.control import C, _wrap

    for method, path, handler in _routes():
        router.add(method, C + path, _wrap(handler), kind="control")


def _routes():
    return [
        ("GET", "/subscriptions", list_all), ("GET", "/subscriptions/config", settings),
        ("POST", "/subscriptions/config", settings), ("POST", "/subscriptions/expire", expire),
        ("GET", "/subscriptions/deliveries", deliveries), ("DELETE", "/subscriptions/deliveries", clear_deliveries),
        ("GET", "/subscriptions/{subscription_id}/deliveries", deliveries),
        ("POST", "/subscriptions/{subscription_id}/lifecycle", lifecycle),
    ]


def _describe(emu, sub) -> dict:
    data = sub.graph(emu.base_url)
    del data["@odata.context"]
    data["pausedFrom"] = sub.pause_at.isoformat() if sub.pause_at else None
    data["targetId"] = sub.target_id
    return data


def list_all(emu, body, params):
    return {"subscriptions": [_describe(emu, s) for s in emu.notifier.store.live()],
            "pending_deliveries": emu.notifier.deliveries.pending_count()}


def settings(emu, body, params):
    """GET: the settings; POST: change some (see NotifySettings), e.g. {"allow_http_notifications": true}."""
    if params["_method"] == "POST":
        emu.notifier.settings.update(body)
    return emu.notifier.settings.public()


def expire(emu, body, params):
    """{"ids": [...]} (default: every subscription), {"after_seconds": s} (default 0: expired now, so deleted)."""
    after = body.get("after_seconds", 0)
    if isinstance(after, bool) or not isinstance(after, (int, float)) or after < 0:
        raise ValueError("after_seconds must be a number >= 0")
    ids = body.get("ids")
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
        raise ValueError("ids must be a list of subscription ids")
    store = emu.notifier.store
    targets = [store.get(i) for i in ids] if ids is not None else store.live()
    when = utcnow() + dt.timedelta(seconds=after)
    with store.lock:
        for sub in targets:
            sub.expires = when
    return {"expired" if after == 0 else "expiring": [s.id for s in targets], "at": when.isoformat()}


def lifecycle(emu, body, params):
    """{"event": "missed" | "subscriptionRemoved" | "reauthorizationRequired", "force"?, "pause_after"?}.

    Sends the lifecycle notification to the subscription's lifecycleNotificationUrl (none without one, as Graph).
    subscriptionRemoved also deletes the subscription; reauthorizationRequired pauses its deliveries after
    `pause_after` seconds (default 0) until the app reauthorizes or renews it. Graph documents missed and
    subscriptionRemoved for Outlook resources only: on a users/groups subscription they need "force": true."""
    event = body.get("event")
    if event not in LIFECYCLE_EVENTS:
        raise ValueError(f"event must be one of {', '.join(LIFECYCLE_EVENTS)}")
    notifier = emu.notifier
    sub = notifier.store.get(params["subscription_id"])
    if event in OUTLOOK_ONLY and sub.form.family != "outlook" and body.get("force") is not True:
        raise ValueError(f"Graph documents '{event}' lifecycle notifications only for Outlook resources (contacts "
                         f"here), not for '{sub.resource}'; pass \"force\": true to send it anyway")
    pause_after = body.get("pause_after", 0)
    if isinstance(pause_after, bool) or not isinstance(pause_after, (int, float)) or pause_after < 0:
        raise ValueError("pause_after must be a number of seconds >= 0")
    sent = sub.lifecycle_url is not None
    if sent:
        notifier.deliveries.enqueue(sub.lifecycle_url, "lifecycle",
                                    lifecycle_notification(sub, event, emu.state.tenant_id), sub.id)
    if event == "subscriptionRemoved":
        notifier.store.remove(sub.id)
    elif event == "reauthorizationRequired":
        with notifier.store.lock:
            sub.pause_at = utcnow() + dt.timedelta(seconds=pause_after)
    return {"subscriptionId": sub.id, "event": event, "sent": sent,
            "reason": None if sent else "the subscription has no lifecycleNotificationUrl, so Graph sends no "
                                        "lifecycle notification"}


def deliveries(emu, body, params):
    log = emu.notifier.deliveries.log
    return {"deliveries": log.entries(params.get("subscription_id")),
            "pending": emu.notifier.deliveries.pending_count()}


def clear_deliveries(emu, body, params):
    emu.notifier.deliveries.log.clear()
    return {"cleared": True}
