"""Shared steps for the emulator's change-notification tests."""

import datetime as dt


def future(minutes: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def subscribe(emu, url: str, resource: str = "users", token: str | None = None, **fields):
    """POST /subscriptions; returns the requests.Response."""
    body = {"changeType": "updated,deleted", "notificationUrl": url, "resource": resource,
            "expirationDateTime": future(120), "clientState": "s3cret-state"}
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not None}
    return emu.graph("POST", "subscriptions", token=token, json=body)


def created(emu, url: str, resource: str = "users", **fields) -> dict:
    response = subscribe(emu, url, resource, **fields)
    assert response.status_code == 201, response.text
    return response.json()


def some_user(emu) -> dict:
    return emu.graph("GET", "users", params={"$top": "1", "$select": "id,displayName"}).json()["value"][0]


def error_of(response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


def nothing_queued(emu, subscription_id: str) -> bool:
    """True when no notification for this subscription was sent, skipped, or is waiting (changes are queued in
    the same control call that makes them, so this is exact right after the call)."""
    return not emu.deliveries(subscription_id) and \
        emu.control("GET", "/_emulator/subscriptions")["pending_deliveries"] == 0
