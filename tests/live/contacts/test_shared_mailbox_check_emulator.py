"""Chosen shared mailboxes are checked against the emulator over HTTPS (MSAL tokens, $batch) before they are saved."""

import json
import uuid

import pytest

from contacts.models import ContactSettings, SharedMailbox
from integrations.models import EntraConnection

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
SETTINGS_URL = "/integrations/collaboration/contacts/"
PAGE = "/integrations/collaboration/"


@pytest.fixture
def save(emu, organization, admin_client, celery_eager, django_capture_on_commit_callbacks):
    EntraConnection.objects.create(organization=organization, tenant_id=emu.tenant_id, client_id=emu.client_id,
                                   client_secret=emu.client_secret, status=EntraConnection.Status.CONNECTED)

    def post(*mailboxes):
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(SETTINGS_URL, {"shared_enabled": "on", "shared_mailboxes": json.dumps(mailboxes)})
    return post


def reception(emu, **choice):
    return {"id": emu.tenant["shared_mailboxes"][0], "name": "Reception",
            "address": f"reception@{emu.tenant['tenant_domain']}", "all_folders": True, "folders": [], **choice}


def chosen(organization):
    return list(SharedMailbox.objects.filter(organization=organization).values_list("mailbox_id", flat=True))


def test_an_existing_mailbox_and_folder_are_accepted_and_saved(emu, save, organization):
    mailbox_id = emu.tenant["shared_mailboxes"][0]
    folder = emu.control("GET", f"mailboxes/{mailbox_id}")["folders"][-1]
    save(reception(emu, all_folders=False, folders=[{"id": folder["id"], "name": folder["displayName"]}]))
    settings = ContactSettings.objects.get(organization=organization)
    assert settings.pending_change == {} and settings.shared_enabled
    assert chosen(organization) == [mailbox_id]
    assert SharedMailbox.objects.get(organization=organization).folder_ids == [folder["id"]]


def test_a_mailbox_or_folder_gone_since_it_was_picked_is_refused(emu, save, organization, admin_client):
    save(reception(emu))
    gone = {"id": str(uuid.uuid4()), "name": "Old Helpdesk", "address": "helpdesk@example.com", "all_folders": True,
            "folders": []}
    save(reception(emu), gone)
    assert chosen(organization) == [emu.tenant["shared_mailboxes"][0]]  # the previous choice stays in effect
    page = admin_client.get(PAGE).content.decode()
    assert "The mailbox “Old Helpdesk” no longer exists in Microsoft Entra ID" in page
    save(reception(emu, all_folders=False, folders=[{"id": "AAMkDeletedFolder=", "name": "Suppliers 2019"}]))
    assert SharedMailbox.objects.get(organization=organization).all_folders is True
    page = admin_client.get(PAGE).content.decode()
    assert "The folder “Suppliers 2019” of “Reception” no longer exists" in page
    assert "Old Helpdesk" not in page  # the newer save replaced the earlier refusal
