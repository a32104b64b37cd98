"""Contacts stored the way the sync stores them (plan + apply), without Graph."""

import itertools

from contacts.models import MailboxSyncState
from contacts.sync.apply import apply_page
from contacts.sync.plan import plan_page
from integrations.graph.contacts import GraphContact

_seq = itertools.count(1)


def make_mailbox(organization, owner=None) -> MailboxSyncState:
    kind = MailboxSyncState.Kind.PERSONAL if owner else MailboxSyncState.Kind.SHARED
    return MailboxSyncState.objects.create(organization=organization, kind=kind, owner=owner,
                                           mailbox_id=f"mailbox-{next(_seq)}", display_name="Mailbox")


def add_contacts(mailbox: MailboxSyncState, *graph_contacts: dict, folder: str = "folder-1") -> None:
    items = [{"id": f"contact-{next(_seq)}", **item} for item in graph_contacts]
    plan = plan_page([GraphContact.from_graph(item) for item in items], {}, mailbox.organization.default_region)
    apply_page(mailbox, folder, plan)
