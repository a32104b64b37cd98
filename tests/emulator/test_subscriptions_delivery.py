"""Change notifications after directory, group membership and contact changes; retries with backoff; batching."""

import itertools

import pytest

from tests.helpers.subscriptions import created, nothing_queued, parse_time, some_user
from tests.helpers.waiting import wait_until
from tests.helpers.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.integration


def wait_notifications(hook, path, count, message="notifications"):
    return hook.wait_for(lambda: len(hook.notifications(path)) >= count and hook.notifications(path),
                         message=f"{count} {message} at {path}")


def test_rename_is_notified_with_graphs_user_shape_and_client_state(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify", "org=7"))
    user = some_user(notify_emu)
    notify_emu.control("PATCH", f"/_emulator/users/{user['id']}", json={"displayName": "Renamed Person"})

    [note] = wait_notifications(hook, "/notify", 1)
    assert note["subscriptionId"] == sub["id"] and note["changeType"] == "updated"
    assert note["clientState"] == "s3cret-state" and note["tenantId"] == notify_emu.tenant_id
    assert note["resource"] == f"Users/{user['id']}"
    data = note["resourceData"]
    assert data["@odata.type"] == "#Microsoft.Graph.User" and data["@odata.id"] == f"Users/{user['id']}"
    assert data["id"] == user["id"] and data["organizationId"] == notify_emu.tenant_id
    assert data["sequenceNumber"] and data["eventTime"]
    assert parse_time(note["subscriptionExpirationDateTime"]) == parse_time(sub["expirationDateTime"])
    assert "Renamed Person" not in str(note)  # basic notifications carry ids only
    post = hook.posts("/notify")[0]
    assert post.query["org"] == "7" and post.headers["content-type"].startswith("application/json")
    [delivery] = wait_until(lambda: notify_emu.deliveries(sub["id"]), message="the logged delivery")
    assert delivery["outcome"] == "delivered" and delivery["status"] == 202 and delivery["attempt"] == 1


def test_new_user_and_soft_delete_are_updated_hard_delete_is_deleted(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"))
    new = notify_emu.control("POST", "/_emulator/users", json={"displayName": "New Hire", "mailNickname": "newhire"})
    notify_emu.control("POST", f"/_emulator/users/{new['id']}/soft-delete")
    notify_emu.control("DELETE", f"/_emulator/users/{new['id']}")

    notes = wait_notifications(hook, "/notify", 3)
    assert sorted(n["changeType"] for n in notes) == ["deleted", "updated", "updated"]
    assert {n["resourceData"]["id"] for n in notes} == {new["id"]}
    assert all(n["subscriptionId"] == sub["id"] for n in notes)


def test_updated_only_subscription_gets_no_deleted(notify_emu, hook):
    sub = created(notify_emu, hook.url("/notify"), changeType="updated")
    user = some_user(notify_emu)
    notify_emu.control("DELETE", f"/_emulator/users/{user['id']}")
    assert nothing_queued(notify_emu, sub["id"])


def test_single_user_subscription_ignores_other_users(notify_emu, hook):
    users = notify_emu.graph("GET", "users", params={"$top": "2", "$select": "id"}).json()["value"]
    sub = created(notify_emu, hook.url("/notify"), f"users/{users[0]['id']}", clientState=None)
    notify_emu.control("PATCH", f"/_emulator/users/{users[1]['id']}", json={"jobTitle": "Other"})
    assert nothing_queued(notify_emu, sub["id"])
    notify_emu.control("PATCH", f"/_emulator/users/{users[0]['id']}", json={"jobTitle": "Mine"})
    [note] = wait_notifications(hook, "/notify", 1)
    assert note["resourceData"]["id"] == users[0]["id"] and "clientState" not in note


def test_group_member_add_and_remove_carry_members_delta(notify_emu, hook):
    notify_emu.control("POST", "/_emulator/app/permissions", json={"grant": ["Group.Read.All"]})
    groups = notify_emu.graph("GET", "groups", params={"$select": "id"}).json()["value"]
    target, other = groups[0]["id"], groups[1]["id"]
    sub = created(notify_emu, hook.url("/members"), f"groups/{target}/members", changeType="updated")
    user = notify_emu.control("POST", "/_emulator/users", json={"displayName": "Joiner", "mailNickname": "joiner"})
    notify_emu.control("POST", f"/_emulator/groups/{other}/members", json={"id": user["id"]})
    assert nothing_queued(notify_emu, sub["id"])

    notify_emu.control("POST", f"/_emulator/groups/{target}/members", json={"id": user["id"]})
    notify_emu.control("DELETE", f"/_emulator/groups/{target}/members/{user['id']}")
    added, removed = wait_notifications(hook, "/members", 2)
    for note in (added, removed):
        assert note["changeType"] == "updated" and note["resource"] == f"Groups/{target}"
        assert note["resourceData"]["@odata.type"] == "#Microsoft.Graph.Group"
    assert added["resourceData"]["members@delta"] == [{"@odata.type": "#Microsoft.Graph.User", "id": user["id"]}]
    assert removed["resourceData"]["members@delta"][0]["@removed"] == {"reason": "deleted"}


def test_groups_subscription_sees_new_groups_and_membership(notify_emu, hook):
    notify_emu.control("POST", "/_emulator/app/permissions", json={"grant": ["Group.Read.All"]})
    created(notify_emu, hook.url("/groups"), "groups", changeType="updated")
    group = notify_emu.control("POST", "/_emulator/groups", json={"displayName": "Night shift"})
    user = some_user(notify_emu)
    notify_emu.control("POST", f"/_emulator/groups/{group['id']}/members", json={"id": user["id"]})
    created_note, member_note = wait_notifications(hook, "/groups", 2)
    assert created_note["resourceData"]["id"] == group["id"] and "members@delta" not in created_note["resourceData"]
    assert member_note["resourceData"]["members@delta"][0]["id"] == user["id"]


def test_contact_changes_of_one_mailbox(notify_emu, hook):
    mailbox = notify_emu.tenant["shared_mailboxes"][0]
    owner = notify_emu.graph("GET", f"users/{mailbox}").json()["id"]
    sub = created(notify_emu, hook.url("/contacts"), f"users/{mailbox}/contacts",
                  changeType="created,updated,deleted")
    other = some_user(notify_emu)["id"]
    notify_emu.control("POST", f"/_emulator/mailboxes/{other}/contacts", json={"displayName": "Not this mailbox"})
    assert nothing_queued(notify_emu, sub["id"])

    contact = notify_emu.control("POST", f"/_emulator/mailboxes/{mailbox}/contacts",
                                 json={"displayName": "Fabrikam Reception", "businessPhones": ["+1 425 555 0100"]})
    notify_emu.control("PATCH", f"/_emulator/mailboxes/{mailbox}/contacts/{contact['id']}", json={"jobTitle": "Desk"})
    notify_emu.control("DELETE", f"/_emulator/mailboxes/{mailbox}/contacts/{contact['id']}")
    notes = wait_notifications(hook, "/contacts", 3)
    assert [n["changeType"] for n in notes] == ["created", "updated", "deleted"]
    for note in notes:
        path = f"Users/{owner}/Contacts/{contact['id']}"
        assert note["resource"] == path and note["resourceData"]["@odata.id"] == path
        assert note["resourceData"]["@odata.type"] == "#Microsoft.Graph.Contact"
        assert note["resourceData"]["id"] == contact["id"] and note["resourceData"]["@odata.etag"].startswith('W/"')
        assert note["id"] and note["tenantId"] == notify_emu.tenant_id


def test_many_changes_are_batched_and_none_lost(notify_emu, hook):
    created(notify_emu, hook.url("/notify"))
    users = notify_emu.graph("GET", "users", params={"$top": "60", "$select": "id"}).json()["value"]
    operations = [{"op": "update", "id": u["id"], "changes": {"jobTitle": "Batch"}} for u in users]
    notify_emu.control("POST", "/_emulator/users/bulk", json={"operations": operations})
    notes = wait_notifications(hook, "/notify", 60)
    assert sorted(n["resourceData"]["id"] for n in notes) == sorted(u["id"] for u in users)
    posts = hook.posts("/notify")
    assert len(posts) < 60 and max(len(p.json["value"]) for p in posts) <= 20


def test_failing_endpoint_gets_retries_with_growing_backoff(notify_emu, hook):
    notify_emu.notification_settings(retry_initial=0.3, retry_factor=2.0, retry_max_delay=10.0)
    hook.script("/notify", [(500, 0), (503, 0), (404, 0)])
    sub = created(notify_emu, hook.url("/notify"))
    user = some_user(notify_emu)
    notify_emu.control("PATCH", f"/_emulator/users/{user['id']}", json={"jobTitle": "Retry me"})

    hook.wait_for(lambda: len(hook.posts("/notify")) >= 4, message="4 attempts")
    arrivals = [p.at for p in hook.posts("/notify")]
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    for gap, backoff in zip(gaps, (0.3, 0.6, 1.2), strict=True):
        assert gap >= backoff * 0.9, gaps  # never earlier than the backoff (later is fine on a busy machine)
    log = wait_until(lambda: (d := notify_emu.deliveries(sub["id"])) and len(d) >= 4 and d,
                     message="4 logged attempts")
    assert [(d["attempt"], d["status"], d["outcome"]) for d in log] == [
        (1, 500, "retrying"), (2, 503, "retrying"), (3, 404, "retrying"), (4, 202, "delivered")]
    assert len({p.body for p in hook.posts("/notify")}) == 1  # the same notification each time


def test_slow_answer_counts_as_a_failure_and_is_retried(notify_emu, hook):
    notify_emu.notification_settings(delivery_timeout=1.0)  # Graph: 3 s
    hook.script("/notify", [(202, 4.0)])
    sub = created(notify_emu, hook.url("/notify"))
    notify_emu.control("PATCH", f"/_emulator/users/{some_user(notify_emu)['id']}", json={"jobTitle": "Slow"})
    log = wait_until(lambda: (d := notify_emu.deliveries(sub["id"])) and d[-1]["outcome"] == "delivered" and d,
                     message="a delivered retry")
    assert log[0]["error"] == "timeout" and log[0]["outcome"] == "retrying"
    assert len(hook.posts("/notify")) == len(log) >= 2


def test_notification_is_dropped_after_the_retry_window(notify_emu, hook):
    notify_emu.notification_settings(retry_initial=0.2, retry_factor=1.0, retry_window=0.5)  # Graph: 4 hours
    hook.script("/notify", [(500, 0)] * 50)
    sub = created(notify_emu, hook.url("/notify"))
    notify_emu.control("PATCH", f"/_emulator/users/{some_user(notify_emu)['id']}", json={"jobTitle": "Doomed"})
    log = wait_until(lambda: (d := notify_emu.deliveries(sub["id"])) and d[-1]["outcome"] == "dropped" and d,
                     message="the notification dropped")
    assert all(d["outcome"] == "retrying" for d in log[:-1])
    assert notify_emu.control("GET", "/_emulator/subscriptions")["pending_deliveries"] == 0
    assert len(hook.posts("/notify")) == len(log)  # nothing more was sent


def test_endpoint_that_went_away_is_retried(notify_emu):
    with WebhookReceiver() as gone:
        sub = created(notify_emu, gone.url("/notify"))
    notify_emu.control("PATCH", f"/_emulator/users/{some_user(notify_emu)['id']}", json={"jobTitle": "Anyone?"})
    log = wait_until(lambda: notify_emu.deliveries(sub["id"]), message="a delivery attempt")
    assert log[0]["error"] == "connection" and log[0]["status"] is None and log[0]["outcome"] == "retrying"
