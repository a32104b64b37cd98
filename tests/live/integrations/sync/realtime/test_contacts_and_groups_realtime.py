"""Near real time for one mailbox's contacts and for group membership under a groups scope."""

import pytest

from contacts.models import Contact
from extensions.models import Extension
from integrations.graph import clear_clients
from integrations.sync.models import SyncRun
from integrations.sync.realtime.models import Subscription
from integrations.sync.realtime.services import subscriptions_maintain
from tests.helpers.contact_sync import sync as contacts_sync
from tests.helpers.contact_sync import synced_users
from tests.helpers.user_sync import settings_of
from tests.helpers.waiting import wait_until
from tests.live.integrations.sync.realtime.conftest import connect, users_run

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def settled(organization) -> bool:
    return not SyncRun.objects.filter(organization=organization, status__in=SyncRun.ACTIVE_STATUSES).exists()


def test_a_contact_added_to_one_mailbox_is_read_from_that_mailbox_only(notifications, worker, organization):
    from contacts.models import ContactSettings

    emu = notifications
    connect(emu, organization, kinds=("contacts",), feature_contacts=True)
    ContactSettings.objects.create(organization=organization, personal_enabled=True, shared_enabled=False)
    owners = synced_users(emu, organization, count=3)
    assert contacts_sync(organization)["status"] == "succeeded"
    with worker():
        assert subscriptions_maintain(organization)["created"] == 3
        rows = Subscription.objects.filter(organization=organization, kind="contacts")
        assert {row.resource for row in rows} == {f"users/{o.entra_object_id}/contacts" for o in owners}
        wait_until(lambda: settled(organization), message="the catch-up runs after subscribing")
        mailbox = str(owners[1].entra_object_id)
        emu.control("POST", f"mailboxes/{mailbox}/contacts", json={
            "displayName": "Realtime Supplier", "businessPhones": ["+1 425 555 0199"]})
        contact = wait_until(lambda: Contact.objects.filter(mailbox__organization=organization,
                                                            display_name="Realtime Supplier").first(),
                             message="the new contact")
        assert contact.mailbox.mailbox_id == mailbox
        run = SyncRun.objects.filter(organization=organization, kind="contacts",
                                     trigger=SyncRun.Trigger.NOTIFICATION, options__mailboxes=[mailbox]).first()
        assert run is not None and run.counts["mailboxes"] == 1  # one mailbox read, not all three


def test_a_member_added_to_a_scoped_group_gets_an_extension_in_seconds(notifications, worker, organization):
    emu = notifications
    groups = emu.graph("GET", "groups", params={"$select": "id,displayName"}).json()["value"]
    group = next(g for g in groups if g["displayName"] != "All Staff")
    members = {m["id"] for m in emu.graph("GET", f"groups/{group['id']}/members").json()["value"]}
    outsider = next(u for u in emu.graph("GET", "users", params={"$select": "id,accountEnabled,userType",
                                                                 "$top": "999"}).json()["value"]
                    if u["id"] not in members and u["accountEnabled"] and u["userType"] == "Member")
    connect(emu, organization, feature_user_sync=True, feature_group_scope=True)
    settings_of(organization, scope="groups", groups=[{"id": group["id"], "name": group["displayName"]}])
    assert users_run(organization).status == "succeeded"
    assert not Extension.objects.filter(organization=organization, entra_object_id=outsider["id"]).exists()
    with worker():
        assert subscriptions_maintain(organization)["failed"] == 1  # GroupMember.Read.All is not enough for Graph
        refused = Subscription.objects.get(organization=organization, resource__startswith="groups/")
        assert refused.status == "failing" and "Group.Read.All" in refused.error
        emu.control("POST", "app/permissions", {"grant": ["Group.Read.All"]})
        clear_clients()  # a new token carries the new permission (Test Connection does the same)
        assert subscriptions_maintain(organization)["failed"] == 0
        assert set(Subscription.objects.filter(organization=organization).values_list("resource", flat=True)) == {
            "users", f"groups/{group['id']}/members"}
        wait_until(lambda: settled(organization), message="the catch-up run after subscribing")
        emu.control("POST", f"groups/{group['id']}/members", json={"id": outsider["id"], "type": "user"})
        wait_until(lambda: Extension.objects.filter(organization=organization, entra_object_id=outsider["id"],
                                                    status="active").exists(), message="the new member's extension")
        assert not SyncRun.objects.filter(organization=organization, trigger=SyncRun.Trigger.SCHEDULE).exists()
