"""From a directory, group or contact change to the change notifications Graph sends for it.

The directory, groups and mailboxes call `ChangeFeed.on_change(event)` (under State.lock) right after a change;
this matches the live subscriptions and queues one notification per matching subscription. Shapes follow what
Graph sends (users/groups: `Users/{id}`, `#Microsoft.Graph.User`, `organizationId`, `sequenceNumber`; contacts: the
Outlook form with `@odata.etag`); users and groups report create, update, soft delete and restore as `updated`,
permanent delete as `deleted`; group membership changes are `updated` with `members@delta`.
"""

import itertools
import time

from emulator.subscriptions import graph_time
from emulator.util import b64url, new_guid, utcnow

_USER_FORMS = ("users", "user")
_GROUP_FORMS = ("groups", "group", "group_members")


def lifecycle_notification(sub, event: str, tenant_id: str) -> dict:
    return {"subscriptionId": sub.id, "subscriptionExpirationDateTime": graph_time(sub.expires),
            "tenantId": tenant_id, "clientState": sub.client_state, "lifecycleEvent": event}


class ChangeFeed:
    def __init__(self, store, deliveries, tenant_id: str):
        self.store = store
        self.deliveries = deliveries
        self.tenant_id = tenant_id
        self._sequence = itertools.count(int(time.time() * 1000))

    def on_change(self, event: dict) -> None:
        now = utcnow()
        for sub in self.store.live(now):
            matched = self._match(sub, event)
            if matched is None:
                continue
            change_type, notification = matched
            if change_type not in sub.change_types:
                continue
            notification = {"subscriptionId": sub.id, "subscriptionExpirationDateTime": graph_time(sub.expires),
                            "changeType": change_type, **notification, "tenantId": self.tenant_id}
            if sub.client_state is not None:
                notification["clientState"] = sub.client_state
            if sub.paused(now):
                self.deliveries.skipped(sub.notification_url, "change", notification, sub.id,
                                        "reauthorizationRequired: delivery paused until the subscription is "
                                        "reauthorized or renewed")
            else:
                self.deliveries.enqueue(sub.notification_url, "change", notification, sub.id)

    def _match(self, sub, event: dict):
        form = sub.form.form
        kind, action = event["type"], event["action"]
        if kind == "user" and form in _USER_FORMS and (form == "users" or sub.target_id == event["id"]):
            return ("deleted" if action == "deleted" else "updated"), self._directory("User", event["id"])
        if kind == "group" and form in _GROUP_FORMS and (form == "groups" or sub.target_id == event["id"]):
            if action == "created":
                return None if form == "group_members" else ("updated", self._directory("Group", event["id"]))
            body = self._directory("Group", event["id"])
            member = {"@odata.type": f"#Microsoft.Graph.{'User' if event['kind'] == 'user' else 'Group'}",
                      "id": event["member"]}
            if action == "member_removed":
                member["@removed"] = {"reason": "deleted"}
            body["resourceData"]["members@delta"] = [member]
            return "updated", body
        if kind == "contact" and form in ("contacts", "me_contacts") and sub.target_id == event["owner"]:
            path = f"Users/{event['owner']}/Contacts/{event['id']}"
            return event["action"], {
                "id": b64url(new_guid().encode())[:16], "resource": path,
                "resourceData": {"@odata.type": "#Microsoft.Graph.Contact", "@odata.id": path,
                                 "@odata.etag": event["etag"], "id": event["id"]}}
        return None

    def _directory(self, type_name: str, object_id: str) -> dict:
        path = f"{type_name}s/{object_id}"
        return {"resource": path, "resourceData": {
            "@odata.type": f"#Microsoft.Graph.{type_name}", "@odata.id": path, "id": object_id,
            "organizationId": self.tenant_id, "eventTime": graph_time(utcnow()),
            "sequenceNumber": str(next(self._sequence))}}
