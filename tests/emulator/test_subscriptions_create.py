"""POST /v1.0/subscriptions: the validation handshake and every validation Graph applies, with Graph's errors."""

import datetime as dt

import pytest

from tests.helpers.subscriptions import created, error_of, future, parse_time, some_user, subscribe

pytestmark = pytest.mark.integration


# --- the validation handshake ----------------------------------------------------------------------------------
def test_handshake_success_creates_the_subscription(notify_emu, hook):
    body = created(notify_emu, hook.url("/notify", "org=42"), lifecycleNotificationUrl=hook.url("/lifecycle"))

    handshakes = hook.posts(validations=True)
    assert sorted(h.path for h in handshakes) == ["/lifecycle", "/notify"]  # both URLs are validated
    notify = next(h for h in handshakes if h.path == "/notify")
    assert notify.query["org"] == "42"  # the subscriber's own query string is kept
    token = notify.query["validationToken"]
    assert " " in token and ":" in token  # opaque text the endpoint must URL-decode
    assert notify.headers["content-type"].startswith("text/plain")
    assert body["id"] and body["resource"] == "users" and body["changeType"] == "updated,deleted"
    assert body["clientState"] == "s3cret-state" and body["notificationUrl"].endswith("/notify?org=42")
    assert body["applicationId"] == notify_emu.client_id and body["latestSupportedTlsVersion"] == "v1_2"
    assert body["@odata.context"].endswith("/v1.0/$metadata#subscriptions/$entity")
    assert notify_emu.graph("GET", f"subscriptions/{body['id']}").status_code == 200


@pytest.mark.parametrize("how, message", [
    ({"mode": "raw"}, "Response must exactly match validationToken query parameter."),
    ({"mode": "other"}, "Response must exactly match validationToken query parameter."),
    ({"status": 500}, "Notification endpoint must respond with 200 OK to validation request."),
    ({"status": 202}, "Notification endpoint must respond with 200 OK to validation request."),
    ({"content_type": "application/json"}, "Response must be of Content-Type text/plain."),
])
def test_handshake_failure_refuses_the_subscription(notify_emu, hook, how, message):
    hook.handshake("/notify", **how)
    response = subscribe(notify_emu, hook.url("/notify"))
    assert error_of(response) == (400, "ValidationError", "Subscription validation request failed. " + message)
    assert notify_emu.graph("GET", "subscriptions").json()["value"] == []


def test_handshake_answered_too_late_times_out(notify_emu, hook):
    notify_emu.notification_settings(validation_timeout=0.5)  # Graph: 10 s; shortened so the test stays short
    hook.handshake("/notify", delay=3.0)
    response = subscribe(notify_emu, hook.url("/notify"))
    assert error_of(response) == (400, "InvalidRequest", "Subscription validation request timed out.")
    assert notify_emu.graph("GET", "subscriptions").json()["value"] == []


def test_unreachable_endpoint_fails_validation(notify_emu):
    response = subscribe(notify_emu, "http://127.0.0.1:9/notify")
    assert error_of(response)[:2] == (400, "ValidationError")


def test_failing_lifecycle_url_refuses_the_subscription(notify_emu, hook):
    hook.handshake("/lifecycle", mode="other")
    response = subscribe(notify_emu, hook.url("/notify"), lifecycleNotificationUrl=hook.url("/lifecycle"))
    assert error_of(response)[:2] == (400, "ValidationError")


def test_handshake_over_https_with_a_trusted_ca(emulator_clean, tmp_path):
    trustme = pytest.importorskip("trustme")
    from tests.helpers.webhook_receiver import WebhookReceiver

    ca = trustme.CA()
    ca_file = tmp_path / "subscriber-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with WebhookReceiver(tls=ca) as https_hook:
        refused = subscribe(emulator_clean, https_hook.url("/notify"))  # its CA is not trusted yet
        assert error_of(refused)[:2] == (400, "ValidationError")
        emulator_clean.notification_settings(notification_ca=str(ca_file))
        assert subscribe(emulator_clean, https_hook.url("/notify")).status_code == 201


# --- request validation -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fields, expected", [
    ({"changeType": None}, (400, "InvalidRequest", "changeType is a required property for subscription creation.")),
    ({"notificationUrl": None},
     (400, "InvalidRequest", "notificationUrl is a required property for subscription creation.")),
    ({"resource": None}, (400, "InvalidRequest", "resource is a required property for subscription creation.")),
    ({"expirationDateTime": None},
     (400, "InvalidRequest", "expirationDateTime is a required property for subscription creation.")),
    ({"changeType": "changed"}, (400, "InvalidRequest", None)),
    ({"changeType": "updated,updated"}, (400, "InvalidRequest", None)),
    ({"resource": "me/messages"}, (400, "InvalidRequest", None)),
    ({"resource": "https://graph.microsoft.com/v1.0/users"}, (400, "InvalidRequest", None)),
    ({"notificationUrl": "http://webhook.example/notify"},
     (400, "InvalidRequest", "NotificationUrl scheme='http' is not supported.")),
    ({"notificationUrl": "https:////x.example/listen"},
     (400, "InvalidRequest", "Invalid notification url='https:////x.example/listen'.")),
    ({"notificationUrl": "webhook.example/notify"}, (400, "InvalidRequest", None)),
    ({"lifecycleNotificationUrl": "http://webhook.example/lifecycle"},
     (400, "InvalidRequest", "LifecycleNotificationUrl scheme='http' is not supported.")),
    ({"clientState": "x" * 129}, (400, "InvalidRequest", "clientState must be at most 128 characters (got 129).")),
    ({"expirationDateTime": "tomorrow"}, (400, "InvalidRequest", "Invalid value 'tomorrow' for expirationDateTime.")),
    ({"expirationDateTime": lambda: future(41760 + 5)},  # timed when the test runs, not when collected
     (400, "ExtensionError", "Subscription expiration can only be 41760 minutes in the future.")),
    ({"latestSupportedTlsVersion": "v2_0"}, (400, "InvalidRequest", None)),
    ({"includeResourceData": True}, (400, "InvalidRequest", None)),
    ({"resource": "communications/presences/00000000-0000-0000-0000-000000000001"},
     (403, "ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden; Reason: Forbidden]")),
    ({"resource": "me/contacts"}, (400, "BadRequest", "/me request is only valid with delegated authentication flow.")),
    ({"resource": "users/not-a-user@contoso.example"}, (404, "Request_ResourceNotFound", None)),
    ({"resource": "groups/00000000-0000-0000-0000-00000000abcd/members"}, (404, "Request_ResourceNotFound", None)),
    ({"resource": "users/not-a-user@contoso.example/contacts"}, (404, "ErrorInvalidUser", None)),
])
def test_each_invalid_request_gets_graphs_error_and_no_handshake(notify_emu, hook, fields, expected):
    notify_emu.control("POST", "/_emulator/app/permissions", json={"grant": ["Group.Read.All"]})
    fields = {name: value() if callable(value) else value for name, value in fields.items()}
    response = subscribe(notify_emu, hook.url("/notify"), **fields)
    status, code, message = error_of(response)
    assert (status, code) == expected[:2], response.text
    if expected[2]:
        assert message == expected[2]
    assert hook.posts(validations=True) == []  # refused before Graph calls the endpoint
    assert "request-id" in response.headers


def test_http_to_another_host_is_refused_even_when_http_is_allowed(notify_emu):
    response = subscribe(notify_emu, "http://webhook.example/notify")
    assert error_of(response) == (400, "InvalidRequest", "NotificationUrl scheme='http' is not supported.")


def test_http_loopback_is_refused_without_the_flag(emulator_clean, hook):
    response = subscribe(emulator_clean, hook.url("/notify"))
    assert error_of(response) == (400, "InvalidRequest", "NotificationUrl scheme='http' is not supported.")


def test_body_that_is_not_json_is_a_400(notify_emu):
    response = notify_emu.graph("POST", "subscriptions", data=b"{not json", headers={"Content-Type":
                                                                                      "application/json"})
    assert error_of(response)[:2] == (400, "BadRequest")


def test_client_state_of_128_characters_is_accepted(notify_emu, hook):
    assert created(notify_emu, hook.url("/notify"), clientState="x" * 128)["clientState"] == "x" * 128


@pytest.mark.parametrize("minutes", [5, -30])
def test_expiry_under_45_minutes_becomes_45_minutes(notify_emu, hook, minutes):
    before = dt.datetime.now(dt.UTC)
    body = created(notify_emu, hook.url("/notify"), expirationDateTime=future(minutes))
    expires = parse_time(body["expirationDateTime"])
    assert before + dt.timedelta(minutes=45) <= expires <= dt.datetime.now(dt.UTC) + dt.timedelta(minutes=45)


def test_contact_subscription_lifetime_is_limited_to_4230_minutes(notify_emu, hook):
    mailbox = notify_emu.tenant["shared_mailboxes"][0]
    resource = f"users/{mailbox}/contacts"
    too_long = subscribe(notify_emu, hook.url("/notify"), resource, changeType="created",
                         expirationDateTime=future(4230 + 5))
    assert error_of(too_long) == (400, "ExtensionError", "Subscription expiration can only be 4230 minutes in the "
                                                         "future.")
    body = created(notify_emu, hook.url("/notify"), resource, changeType="created",
                   expirationDateTime=future(4230 - 5))
    assert body["resource"] == resource


@pytest.mark.parametrize("resource, needs", [
    ("users", ["User.Read.All"]),
    ("groups", ["Group.Read.All"]),
])
def test_missing_application_permission_is_a_403(notify_emu, hook, resource, needs):
    notify_emu.control("POST", "/_emulator/app/permissions",
                       json={"permissions": ["GroupMember.Read.All", "User.ReadWrite.All", "Contacts.ReadWrite"]})
    response = subscribe(notify_emu, hook.url("/notify"), resource)
    assert error_of(response) == (403, "ExtensionError",
                                  "Operation: Create; Exception: [Status Code: Forbidden; Reason: Forbidden]")
    notify_emu.control("POST", "/_emulator/app/permissions", json={"grant": needs})
    assert subscribe(notify_emu, hook.url("/notify"), resource).status_code == 201


def test_contacts_need_contacts_read(notify_emu, hook):
    mailbox = notify_emu.tenant["shared_mailboxes"][0]
    notify_emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["Contacts.Read"]})
    response = subscribe(notify_emu, hook.url("/notify"), f"users/{mailbox}/contacts")
    assert error_of(response)[:2] == (403, "ExtensionError")


def test_refused_mailbox_cannot_be_subscribed(notify_emu, hook):
    mailbox = notify_emu.tenant["shared_mailboxes"][0]
    notify_emu.control("POST", f"/_emulator/mailboxes/{mailbox}/access", json={"refuse": 403})
    response = subscribe(notify_emu, hook.url("/notify"), f"users/{mailbox}/contacts")
    assert error_of(response)[:2] == (403, "ErrorAccessDenied")


def test_same_resource_and_change_type_twice_is_a_409(notify_emu, hook):
    first = created(notify_emu, hook.url("/notify"))
    response = subscribe(notify_emu, hook.url("/other"), "/Users", changeType="updated,deleted")
    assert error_of(response) == (409, "Conflict", f"Subscription Id {first['id']} already exists for the requested "
                                                   "combination")
    assert subscribe(notify_emu, hook.url("/notify"), changeType="updated").status_code == 201
    notify_emu.notification_settings(allow_duplicates=True)  # benchmarks: many organizations, one emulated tenant
    assert subscribe(notify_emu, hook.url("/other"), "users").status_code == 201


# --- quotas -------------------------------------------------------------------------------------------------------
def test_quota_per_app_and_tenant(notify_emu, hook):
    notify_emu.notification_settings(quota_app_tenant=2)
    notify_emu.control("POST", "/_emulator/app/permissions", json={"grant": ["Group.Read.All"]})
    users = notify_emu.graph("GET", "users", params={"$top": "3", "$select": "id"}).json()["value"]
    for user in users[:2]:
        created(notify_emu, hook.url("/notify"), f"users/{user['id']}")
    refused = subscribe(notify_emu, hook.url("/notify"), f"users/{users[2]['id']}")
    status, code, message = error_of(refused)
    assert (status, code) == (403, "ExtensionError") and "2 users subscriptions per app and tenant" in message
    assert subscribe(notify_emu, hook.url("/notify"), "groups").status_code == 201  # groups count separately


def test_quota_per_tenant_counts_other_apps(notify_emu, hook):
    notify_emu.notification_settings(other_apps_directory=1000)
    status, code, message = error_of(subscribe(notify_emu, hook.url("/notify")))
    assert (status, code) == (403, "ExtensionError") and "1000 users subscriptions per tenant" in message


def test_quota_per_mailbox(notify_emu, hook):
    notify_emu.notification_settings(quota_mailbox=1)
    mailbox = notify_emu.tenant["shared_mailboxes"][0]
    created(notify_emu, hook.url("/notify"), f"users/{mailbox}/contacts", changeType="created")
    status, code, message = error_of(subscribe(notify_emu, hook.url("/notify"), f"users/{mailbox}/contacts",
                                               changeType="updated"))
    assert (status, code) == (403, "ExtensionError") and "per mailbox" in message
    other = some_user(notify_emu)["id"]
    assert subscribe(notify_emu, hook.url("/notify"), f"users/{other}/contacts", changeType="updated").status_code \
        == 201


def test_expired_subscriptions_free_their_quota(notify_emu, hook):
    notify_emu.notification_settings(quota_app_tenant=1)
    created(notify_emu, hook.url("/notify"))
    assert subscribe(notify_emu, hook.url("/notify"), changeType="updated").status_code == 403
    notify_emu.control("POST", "/_emulator/subscriptions/expire", json={})
    assert subscribe(notify_emu, hook.url("/notify"), changeType="updated").status_code == 201

