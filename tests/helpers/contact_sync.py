"""Connecting a test organization to the emulator for contact sync, and running one cycle."""

import io
import json

from django.core.management import CommandError, call_command

from contacts.models import ContactSettings, SharedMailbox
from extensions.models import Extension
from integrations.models import EntraConnection
from tests.helpers.factories import make_extension


def connect(emu, organization, *, personal=True, shared=True) -> EntraConnection:
    connection = EntraConnection.objects.create(
        organization=organization, tenant_id=emu.tenant_id, client_id=emu.client_id,
        client_secret=emu.client_secret, status=EntraConnection.Status.CONNECTED, feature_contacts=True)
    ContactSettings.objects.create(organization=organization, personal_enabled=personal, shared_enabled=shared)
    return connection


def share_reception(emu, organization) -> SharedMailbox:
    reception_id = emu.tenant["shared_mailboxes"][0]
    return SharedMailbox.objects.create(organization=organization, mailbox_id=reception_id,
                                        address=f"reception@{emu.tenant['tenant_domain']}", display_name="Reception")


def synced_users(emu, organization, count=3) -> list[Extension]:
    """Extensions for the first `count` demo users, as user sync would create them."""
    return [make_extension(organization, number=str(2000 + i), display_name=user["display_name"],
                           email=user["username"], entra_object_id=user["id"], source=Extension.Source.ENTRA)
            for i, user in enumerate(emu.tenant["users"][:count])]


def sync(organization, *, full=False) -> dict:
    out = io.StringIO()
    args = [organization.name, "--json"] + (["--full"] if full else [])
    try:
        call_command("sync_contacts", *args, stdout=out)
    except CommandError:
        pass  # a failed run: the JSON was printed first
    return json.loads(out.getvalue())
