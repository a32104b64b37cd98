"""Contacts stored the way the sync stores them (plan + apply), without Graph; a PBX API key and a UC token to
read them with."""

import itertools

from django.utils import timezone

from contacts.models import MailboxSyncState
from contacts.sync.apply import apply_page
from contacts.sync.plan import plan_page
from integrations.graph.contacts import GraphContact
from organizations.api_keys import key_generate, key_hash
from organizations.models import ApiScope, OrganizationApiKey
from sso.models import UcGrant
from sso.native import _new_secrets

_seq = itertools.count(1)
LOOKUP_URL = "/api/pbx/lookup"


def make_mailbox(organization, owner=None) -> MailboxSyncState:
    kind = MailboxSyncState.Kind.PERSONAL if owner else MailboxSyncState.Kind.SHARED
    return MailboxSyncState.objects.create(organization=organization, kind=kind, owner=owner,
                                           mailbox_id=f"mailbox-{next(_seq)}", display_name="Mailbox")


def add_contacts(mailbox: MailboxSyncState, *graph_contacts: dict, folder: str = "folder-1") -> None:
    items = [{"id": f"contact-{next(_seq)}", **item} for item in graph_contacts]
    plan = plan_page([GraphContact.from_graph(item) for item in items], {}, mailbox.organization.default_region)
    apply_page(mailbox, folder, plan)


def api_key(organization) -> str:
    """A key with every scope (caller-id-personal included: these tests read the called user's contacts)."""
    key, prefix = key_generate()
    OrganizationApiKey.objects.create(organization=organization, name="PBX", prefix=prefix, key_hash=key_hash(key),
                                      scopes=list(ApiScope.values))
    return key


def get(client, key, **params):
    return client.get(LOOKUP_URL, params, HTTP_AUTHORIZATION=f"Bearer {key}")


def token_for(extension) -> str:
    issued = _new_secrets(timezone.now())
    UcGrant.objects.create(extension=extension, **issued["fields"])
    return issued["access"]
