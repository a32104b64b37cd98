"""The emulated tenant: directory, app registration, mailboxes and presence, behind one lock."""

import datetime as dt
import threading

from emulator import seed
from emulator.appreg import AppRegistration
from emulator.directory import Groups, Users
from emulator.mailboxes import Mailboxes
from emulator.presence import Presence
from emulator.util import iso, utcnow


class State:
    def __init__(self, config):
        self.config = config
        self.lock = threading.RLock()
        data = seed.build(config)
        self.tenant_id: str = data["tenant_id"]
        self.domain: str = data["domain"]
        self.demo_users: list[dict] = data["demo_users"]
        self.shared_mailbox_ids: list[str] = [data["shared"]["id"]] if data["shared"] else []
        self.users = Users()
        self.users.load(data["users"])
        for demo in self.demo_users:
            self.users.passwords[demo["username"].lower()] = demo["password"]
        self.groups = Groups()
        for group in data["groups"]:
            members = group.pop("members")
            self.groups.create(graph_group(group))
            self.groups.members[group["id"]] = list(members)
        app = data["app"]
        self.app = AppRegistration(
            client_id=app["client_id"], object_id=app["object_id"], sp_object_id=app["sp_object_id"],
            display_name="PBX Portal (emulated)", secret=app["secret"], secret_id=app["secret_id"],
            permissions=app["permissions"], redirect_uris=app["redirect_uris"],
            secret_expires=utcnow() + dt.timedelta(days=365))
        self.mailboxes = Mailboxes()
        for owner_id, folder_name, contact in data["contacts"]:
            mailbox = self.mailboxes.for_user(owner_id)
            folder_id = None
            if folder_name:
                existing = [f for f in mailbox.folders.values() if f["displayName"] == folder_name]
                folder_id = existing[0]["id"] if existing else mailbox.add_folder(folder_name)["id"]
            mailbox.add_contact(contact, folder_id)
        self.presence = Presence(data["presence"])
        self.created = utcnow() - dt.timedelta(days=400)

    # --- tenant ------------------------------------------------------------------------------
    def is_tenant(self, segment: str) -> bool:
        seg = segment.lower()
        return seg in (self.tenant_id, self.domain, self.onmicrosoft_domain)

    @property
    def onmicrosoft_domain(self) -> str:
        return self.domain.split(".")[0] + ".onmicrosoft.com"

    def organization(self) -> dict:
        return {
            "id": self.tenant_id, "deletedDateTime": None, "businessPhones": ["+1 425 555 0100"],
            "city": "Redmond", "country": None, "countryLetterCode": "US", "createdDateTime": iso(self.created),
            "defaultUsageLocation": "US", "displayName": "Contoso (emulated)",
            "isMultipleDataLocationsForServicesEnabled": None, "marketingNotificationEmails": [],
            "partnerTenantType": None, "directorySizeQuota": {"used": len(self.users.ids), "total": 300000},
            "onPremisesLastSyncDateTime": None, "onPremisesSyncEnabled": None, "postalCode": "98052",
            "preferredLanguage": "en",
            "privacyProfile": {"contactEmail": f"privacy@{self.domain}", "statementUrl": ""},
            "securityComplianceNotificationMails": [],
            "securityComplianceNotificationPhones": [], "state": "WA", "street": "One Microsoft Way",
            "technicalNotificationMails": [f"admin@{self.domain}"], "tenantType": "AAD",
            "assignedPlans": [], "provisionedPlans": [],
            "verifiedDomains": [
                {"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": True, "isInitial": False,
                 "name": self.domain, "type": "Managed"},
                {"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": False, "isInitial": True,
                 "name": self.onmicrosoft_domain, "type": "Managed"},
            ],
        }

    def summary(self) -> dict:
        return {
            "tenant_id": self.tenant_id, "tenant_domain": self.domain, "users": len(self.users.ids),
            "soft_deleted_users": len(self.users.soft_deleted), "groups": len(self.groups.by_id),
            "user_change_seq": self.users.seq, "app": {
                "client_id": self.app.client_id, "permissions": list(self.app.permissions),
                "redirect_uris": list(self.app.redirect_uris),
                "secrets": self.app.password_credentials(), "certificates": self.app.key_credentials()},
            "shared_mailboxes": list(self.shared_mailbox_ids),
        }


def graph_group(data: dict) -> dict:
    return {
        "id": data["id"], "deletedDateTime": None, "classification": None, "createdDateTime": iso(utcnow()),
        "description": data.get("description"), "displayName": data["displayName"], "groupTypes": [],
        "mail": None, "mailEnabled": False, "mailNickname": data.get("mailNickname") or data["displayName"],
        "securityEnabled": True, "visibility": None, "onPremisesSyncEnabled": None,
    }
