"""Managing subscriptions (list, get, renew, reauthorize, delete), lifecycle notifications, expiry and reset."""

import datetime as dt

import pytest

from tests.helpers.subscriptions import created, error_of, future, nothing_queued, parse_time, some_user
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.integration


def contacts_subscription(emu, hook, **fields):
    mailbox = emu.tenant["shared_mailboxes"][0]
    return mailbox, created(emu, hook.url("/contacts"), f"users/{mailbox}/contacts", changeType="created",
                            lifecycleNotificationUrl=hook.url("/lifecycle"), **fields)


def lifecycle(emu, sub_id, event, **extra):
    return emu.control("POST", f"/_emulator/subscriptions/{sub_id}/lifecycle", json={"event": event, **extra})


def rename(emu, user_id, title):
    emu.control("PATCH", f"/_emulator/users/{user_id}", json={"jobTitle": title})


# --- list, get, renew, delete -------------------------------------------------------------------------------------
def test_list_and_get_hide_client_state(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"))
    listed = notify_emu.graph("GET", "subscriptions").json()
    assert listed["@odata.context"].endswith("/v1.0/$metadata#subscriptions")
    assert [s["id"] for s in listed["value"]] == [sub["id"]]
    assert listed["value"][0]["clientState"] is None  # "not returned for security purposes"
    got = notify_emu.graph("GET", f"subscriptions/{sub['id']}").json()
    assert got["resource"] == "users" and got["clientState"] is None


def test_renew_extends_the_expiry_and_checks_the_limits(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"), expirationDateTime=future(60))
    renewed = notify_emu.graph("PATCH", f"subscriptions/{sub['id']}", json={"expirationDateTime": future(40000)})
    assert renewed.status_code == 200
    assert parse_time(renewed.json()["expirationDateTime"]) > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=39990)
    assert renewed.json()["clientState"] == "s3cret-state"
    too_far = notify_emu.graph("PATCH", f"subscriptions/{sub['id']}", json={"expirationDateTime": future(41800)})
    assert error_of(too_far)[:2] == (400, "ExtensionError")
    nothing = notify_emu.graph("PATCH", f"subscriptions/{sub['id']}", json={})
    assert error_of(nothing)[:2] == (400, "InvalidRequest")
    other = notify_emu.graph("PATCH", f"subscriptions/{sub['id']}", json={"resource": "groups"})
    assert error_of(other)[:2] == (400, "InvalidRequest")


def test_changing_the_url_runs_the_handshake_again(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"))
    hook.handshake("/bad", mode="other")
    refused = notify_emu.graph("PATCH", f"subscriptions/{sub['id']}", json={"notificationUrl": hook.url("/bad")})
    assert error_of(refused)[:2] == (400, "ValidationError")
    moved = notify_emu.graph("PATCH", f"subscriptions/{sub['id']}", json={"notificationUrl": hook.url("/moved")})
    assert moved.status_code == 200 and moved.json()["notificationUrl"] == hook.url("/moved")
    rename(notify_emu, some_user(notify_emu)["id"], "Moved")
    hook.wait_for(lambda: hook.notifications("/moved"), message="a notification at the new URL")


def test_delete_then_get_is_404_and_changes_are_not_sent(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"))
    deleted = notify_emu.graph("DELETE", f"subscriptions/{sub['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert error_of(notify_emu.graph("GET", f"subscriptions/{sub['id']}"))[:2] == (404, "ResourceNotFound")
    assert notify_emu.graph("DELETE", f"subscriptions/{sub['id']}").status_code == 404
    rename(notify_emu, some_user(notify_emu)["id"], "After delete")
    assert nothing_queued(notify_emu, sub["id"])


def test_revoked_permission_refuses_renewal(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"))
    notify_emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["User.Read.All"]})
    refused = notify_emu.graph("PATCH", f"subscriptions/{sub['id']}", json={"expirationDateTime": future(500)})
    assert error_of(refused)[:2] == (403, "ExtensionError")


# --- lifecycle notifications ---------------------------------------------------------------------------------------
def test_reauthorization_required_pauses_delivery_until_reauthorized(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"), lifecycleNotificationUrl=hook.url("/lifecycle"))
    user = some_user(notify_emu)["id"]
    assert lifecycle(notify_emu, sub["id"], "reauthorizationRequired")["sent"] is True
    [challenge] = hook.wait_for(lambda: hook.notifications("/lifecycle"), message="the lifecycle notification")
    assert challenge == {"subscriptionId": sub["id"], "subscriptionExpirationDateTime": challenge[
        "subscriptionExpirationDateTime"], "tenantId": notify_emu.tenant_id, "clientState": "s3cret-state",
                         "lifecycleEvent": "reauthorizationRequired"}

    rename(notify_emu, user, "While paused")  # lost, as Graph documents
    [skipped] = [d for d in notify_emu.deliveries(sub["id"]) if d["kind"] == "change"]
    assert skipped["outcome"] == "dropped" and skipped["reason"].startswith("reauthorizationRequired")
    assert hook.notifications("/notify") == []

    assert notify_emu.graph("POST", f"subscriptions/{sub['id']}/reauthorize").status_code == 204
    rename(notify_emu, user, "After reauthorize")
    hook.wait_for(lambda: hook.notifications("/notify"), message="a notification after reauthorize")


def test_renewal_also_reauthorizes(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"), lifecycleNotificationUrl=hook.url("/lifecycle"))
    lifecycle(notify_emu, sub["id"], "reauthorizationRequired")
    notify_emu.graph("PATCH", f"subscriptions/{sub['id']}", json={"expirationDateTime": future(600)})
    rename(notify_emu, some_user(notify_emu)["id"], "Renewed")
    hook.wait_for(lambda: hook.notifications("/notify"), message="a notification after renewal")


def test_reauthorization_grace_keeps_delivering_for_a_while(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"), lifecycleNotificationUrl=hook.url("/lifecycle"))
    lifecycle(notify_emu, sub["id"], "reauthorizationRequired", pause_after=600)
    rename(notify_emu, some_user(notify_emu)["id"], "Still flowing")
    hook.wait_for(lambda: hook.notifications("/notify"), message="a notification during the grace period")


def test_subscription_removed_deletes_the_subscription(notify_emu, hook):
    mailbox, sub = contacts_subscription(notify_emu, hook)
    assert lifecycle(notify_emu, sub["id"], "subscriptionRemoved")["sent"] is True
    [note] = hook.wait_for(lambda: hook.notifications("/lifecycle"), message="subscriptionRemoved")
    assert note["lifecycleEvent"] == "subscriptionRemoved" and note["subscriptionId"] == sub["id"]
    assert notify_emu.graph("GET", f"subscriptions/{sub['id']}").status_code == 404
    notify_emu.control("POST", f"/_emulator/mailboxes/{mailbox}/contacts", json={"displayName": "Unseen"})
    assert [d for d in notify_emu.deliveries(sub["id"]) if d["kind"] == "change"] == []


def test_missed_keeps_the_subscription(notify_emu, hook):
    mailbox, sub = contacts_subscription(notify_emu, hook)
    lifecycle(notify_emu, sub["id"], "missed")
    [note] = hook.wait_for(lambda: hook.notifications("/lifecycle"), message="missed")
    assert note["lifecycleEvent"] == "missed"
    notify_emu.control("POST", f"/_emulator/mailboxes/{mailbox}/contacts", json={"displayName": "Still watched"})
    hook.wait_for(lambda: hook.notifications("/contacts"), message="a contact notification")


@pytest.mark.parametrize("event", ["missed", "subscriptionRemoved"])
def test_outlook_only_events_on_a_directory_subscription_need_force(notify_emu, hook, event):
    sub = created(notify_emu, hook.url("/notify"), lifecycleNotificationUrl=hook.url("/lifecycle"))
    response = notify_emu._http.post(f"{notify_emu.base_url}/_emulator/subscriptions/{sub['id']}/lifecycle",
                                     json={"event": event}, verify=notify_emu.ca_path, timeout=30)
    assert response.status_code == 400 and "only for Outlook resources" in response.json()["error"]
    assert lifecycle(notify_emu, sub["id"], event, force=True)["sent"] is True
    hook.wait_for(lambda: hook.notifications("/lifecycle"), message=event)


def test_no_lifecycle_url_no_lifecycle_notification(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"))
    answer = lifecycle(notify_emu, sub["id"], "reauthorizationRequired", pause_after=3600)
    assert answer["sent"] is False and "no lifecycleNotificationUrl" in answer["reason"]
    assert notify_emu.deliveries(sub["id"]) == []


# --- expiry and reset -------------------------------------------------------------------------------------------
def test_expired_subscription_stops_delivering_and_disappears(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"))
    user = some_user(notify_emu)["id"]
    answer = notify_emu.control("POST", "/_emulator/subscriptions/expire", json={"ids": [sub["id"]]})
    assert answer["expired"] == [sub["id"]]
    rename(notify_emu, user, "Too late")
    assert nothing_queued(notify_emu, sub["id"])
    assert notify_emu.graph("GET", f"subscriptions/{sub['id']}").status_code == 404
    assert notify_emu.graph("GET", "subscriptions").json()["value"] == []
    assert notify_emu.graph("PATCH", f"subscriptions/{sub['id']}",
                            json={"expirationDateTime": future(600)}).status_code == 404


def test_subscription_expires_on_its_own(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"))
    notify_emu.control("POST", "/_emulator/subscriptions/expire", json={"ids": [sub["id"]], "after_seconds": 0.5})
    wait_until(lambda: notify_emu.graph("GET", f"subscriptions/{sub['id']}").status_code == 404,
               message="the subscription to expire")
    rename(notify_emu, some_user(notify_emu)["id"], "Expired")
    assert nothing_queued(notify_emu, sub["id"])


def test_reset_forgets_subscriptions_deliveries_and_settings(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"))
    rename(notify_emu, some_user(notify_emu)["id"], "Before reset")
    hook.wait_for(lambda: hook.notifications("/notify"), message="a notification")
    notify_emu.reset()
    assert notify_emu.deliveries() == []
    assert notify_emu.notification_settings()["allow_http_notifications"] is False
    assert notify_emu.control("GET", "/_emulator/subscriptions")["subscriptions"] == []
    token = notify_emu.app_token()
    assert notify_emu.graph("GET", f"subscriptions/{sub['id']}", token=token).status_code == 404


def test_bad_settings_are_refused_and_change_nothing(notify_emu):
    before = notify_emu.notification_settings()
    for bad in ({"retry_initial": -1}, {"batch_size": 0}, {"allow_http_notifications": "yes"},
                {"max_minutes": {"outlook": 10}}, {"unknown": 1}, {"validation_timeout": 1, "quota_mailbox": "x"}):
        response = notify_emu._http.post(f"{notify_emu.base_url}/_emulator/subscriptions/config", json=bad,
                                         verify=notify_emu.ca_path, timeout=30)
        assert response.status_code == 400, bad
    assert notify_emu.notification_settings() == before


def test_delegated_me_contacts_follows_the_signed_in_users_mailbox(notify_emu, hook, make_msal_app, http):
    from urllib.parse import parse_qs, urlparse

    from tests.emulator.test_auth_code_flow import REDIRECT, sign_in

    user = notify_emu.tenant["users"][0]
    app = make_msal_app()
    flow = app.initiate_auth_code_flow(scopes=["https://graph.microsoft.com/Contacts.Read"], redirect_uri=REDIRECT,
                                       login_hint=user["username"])
    answer = sign_in(notify_emu, http, flow["auth_uri"], user["username"], user["password"])
    params = {k: v[0] for k, v in parse_qs(urlparse(answer.headers["Location"]).query).items()}
    token = app.acquire_token_by_auth_code_flow(flow, params)["access_token"]
    created = notify_emu.graph("POST", "subscriptions", token=token, json={
        "changeType": "created", "notificationUrl": hook.url("/mine"), "resource": "me/contacts",
        "expirationDateTime": future(120)})
    assert created.status_code == 201, created.text
    notify_emu.control("POST", f"/_emulator/mailboxes/{user['id']}/contacts", json={"displayName": "My dentist"})
    [note] = hook.wait_for(lambda: hook.notifications("/mine"), message="a notification for the user's contact")
    assert note["resource"].startswith(f"Users/{user['id']}/Contacts/")


def test_renewal_can_be_made_to_fail_with_a_fault(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"))
    notify_emu.control("POST", "/_emulator/faults", json={"kind": "503", "path": "^/v1.0/subscriptions/",
                                                          "method": "PATCH", "count": 1})
    failed = notify_emu.graph("PATCH", f"subscriptions/{sub['id']}", json={"expirationDateTime": future(600)})
    assert error_of(failed)[:2] == (503, "serviceNotAvailable") and failed.headers["Retry-After"] == "1"
    assert notify_emu.graph("PATCH", f"subscriptions/{sub['id']}",
                            json={"expirationDateTime": future(600)}).status_code == 200
    assert notify_emu.request_counts()["by_route"]["PATCH /v1.0/subscriptions/{subscription_id}"] == 2
