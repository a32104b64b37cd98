"""A lived-in organization for page tours: synced and manual extensions with long values, groups, a week of sync
runs with their events, mailboxes and presence. Plain rows, no Microsoft calls."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from contacts.models import ContactSettings, MailboxSyncState, SharedMailbox
from extensions.models import Extension, ExtensionGroup
from integrations.models import EntraConnection
from integrations.sync.models import SyncEvent, SyncKind, SyncRun
from integrations.sync.users.models import DirectoryGroup, UserSyncSettings
from presence.models import ExtensionPresence
from sso.services import uc_password_set
from tests.helpers.factories import make_admin, make_organization

UC_PASSWORD = "Uc-Client-Passw0rd!"
DEPARTMENTS = ("Retail Management", "Customer Success and Renewals (EMEA North)", "Finance", "Engineering")
STATES = ("available", "busy", "on_call", "away", "offline", "dnd")


@dataclass
class Showcase:
    organization: object
    admin: object
    synced: Extension
    manual: Extension
    run: SyncRun
    uc_email: str


def showcase_create(*, extensions: int = 40) -> Showcase:
    organization = make_organization("Contoso Pharmaceuticals International Ltd")
    admin = make_admin(organization, "tour-admin")
    EntraConnection.objects.create(organization=organization, tenant_id=str(uuid.uuid4()),
                                   client_id=str(uuid.uuid4()), client_secret="s3cret-value",
                                   status=EntraConnection.Status.CONNECTED, last_tested_at=timezone.now(),
                                   feature_contacts=True, feature_presence=True)  # as the Collaboration save sets them
    now = timezone.now()
    rows = []
    for n in range(extensions):
        synced = n % 4 != 3
        rows.append(Extension(
            organization=organization, number=str(1000 + n),
            display_name=f"Person {n} with a rather long display name Alexandria-Montgomery",
            first_name=f"Person {n}", last_name="Alexandria-Montgomery",
            email=f"person.{n}.alexandria-montgomery@contoso-pharmaceuticals.example.com",
            job_title="Senior Regional Retail Manager, Northern Territories", department=DEPARTMENTS[n % 4],
            mobile_phone="+44 7700 900123", business_phone="+44 20 7946 0958",
            source=Extension.Source.ENTRA if synced else Extension.Source.MANUAL,
            entra_object_id=uuid.uuid4() if synced else None,
            entra_upn=f"person.{n}@contoso-pharmaceuticals.example.com" if synced else "",
            sync_state=Extension.SyncState.SYNCED if synced else "", last_synced_at=now if synced else None,
            status=Extension.Status.DISABLED if n == 5 else Extension.Status.ACTIVE,
        ))
    Extension.objects.bulk_create(rows)
    extensions_saved = list(Extension.objects.filter(organization=organization).order_by("number"))
    synced_one = extensions_saved[0]
    manual_one = next(e for e in extensions_saved if e.source == Extension.Source.MANUAL)
    for index, name in enumerate(("Sales", "Retail Management EMEA", "Support")):
        group = ExtensionGroup.objects.create(organization=organization, name=name, entra_group_id=uuid.uuid4(),
                                              last_synced_at=now)
        group.members.set(extensions_saved[index::3][:12])
    for extension, state in zip(extensions_saved, STATES * 10, strict=False):
        ExtensionPresence.objects.create(extension=extension, organization=organization, pbx_state=state,
                                         availability="Available", activity="Available",
                                         changed_at=now - timedelta(minutes=7))
    uc_password_set(extension=synced_one, password=UC_PASSWORD, actor=admin)
    directory_groups = [DirectoryGroup(organization=organization, entra_id=str(uuid.uuid4()), refreshed_at=now,
                                       name=f"{DEPARTMENTS[n % 4]} team {n}") for n in range(30)]
    DirectoryGroup.objects.bulk_create(directory_groups)
    UserSyncSettings.objects.update_or_create(organization=organization, defaults={
        "scope": UserSyncSettings.Scope.GROUPS,
        "groups": [{"id": g.entra_id, "name": g.name} for g in directory_groups[:2]]})
    run = _sync_history(organization, synced_one, now)
    ContactSettings.objects.create(organization=organization, personal_enabled=True, shared_enabled=True)
    SharedMailbox.objects.create(organization=organization, mailbox_id=str(uuid.uuid4()), display_name="Reception desk",
                                 address="reception.desk.headquarters@contoso-pharmaceuticals.example.com")
    SharedMailbox.objects.create(organization=organization, mailbox_id=str(uuid.uuid4()), display_name="Suppliers",
                                 address="suppliers@contoso-pharmaceuticals.example.com", all_folders=False,
                                 folders=[{"id": "f1", "name": "Wholesale"}, {"id": "f2", "name": "Logistics"}])
    for index, extension in enumerate(extensions_saved[:6]):
        MailboxSyncState.objects.create(
            organization=organization, kind=MailboxSyncState.Kind.PERSONAL, mailbox_id=str(extension.entra_object_id
                                                                                             or uuid.uuid4()),
            owner=extension, display_name=extension.display_name, contact_count=index * 37,
            status=MailboxSyncState.Status.DENIED if index == 4 else MailboxSyncState.Status.OK,
            last_error="Access denied (403): the app lacks Contacts.Read" if index == 4 else "",
            last_synced_at=now)
    return Showcase(organization=organization, admin=admin, synced=synced_one, manual=manual_one, run=run,
                    uc_email=synced_one.email)


def _sync_history(organization, subject: Extension, now) -> SyncRun:
    """A week of user-sync runs (one failed), a contacts and a presence run; returns the latest user run."""
    latest = None
    for hours_ago in (150, 120, 96, 72, 49, 30, 20, 8, 3, 1):
        started = now - timedelta(hours=hours_ago)
        failed = hours_ago == 49
        run = SyncRun.objects.create(
            organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.SCHEDULE,
            status=SyncRun.Status.FAILED if failed else SyncRun.Status.SUCCEEDED, full=hours_ago == 150,
            counts={} if failed else {"created": hours_ago % 7, "updated": hours_ago % 5, "disabled": hours_ago % 2},
            graph_requests=3, error="Microsoft Graph answered 503 Service Unavailable three times." if failed else "",
            started_at=started, finished_at=started + timedelta(seconds=hours_ago % 9 + 2))
        SyncRun.objects.filter(pk=run.pk).update(created_at=started)
        latest = run
    SyncEvent.objects.create(
        run=latest, organization=organization, action=SyncEvent.Action.UPDATED,
        subject_id=str(subject.entra_object_id), subject=subject.display_name, number=subject.number,
        before={"job_title": "Retail Manager", "department": "Retail", "mobile_phone": ""},
        after={"job_title": "Senior Regional Retail Manager, Northern Territories", "department": "Retail",
               "mobile_phone": "+44 7700 900123"},
        reason="Changed in Microsoft Entra ID")
    SyncEvent.objects.create(
        run=latest, organization=organization, action=SyncEvent.Action.CREATED, subject="New Starter",
        subject_id=str(uuid.uuid4()), number="1999", after={"display_name": "New Starter", "email": "new@x.example"},
        reason="In scope: member of Sales")
    SyncRun.objects.create(organization=organization, kind=SyncKind.CONTACTS, trigger=SyncRun.Trigger.SCHEDULE,
                           status=SyncRun.Status.SUCCEEDED, counts={"contacts_updated": 4}, started_at=now,
                           finished_at=now + timedelta(seconds=2))
    for minutes_ago in range(0, 24 * 60, 20):  # presence polls: changes every 20 minutes for a day
        started = now - timedelta(minutes=minutes_ago)
        poll = SyncRun.objects.create(organization=organization, kind=SyncKind.PRESENCE,
                                      trigger=SyncRun.Trigger.SCHEDULE, status=SyncRun.Status.SUCCEEDED,
                                      counts={"users": 30, "changed": (minutes_ago // 20) % 7}, started_at=started,
                                      finished_at=started + timedelta(seconds=1))
        SyncRun.objects.filter(pk=poll.pk).update(created_at=started)
    return latest
