"""Contact sync end to end: the product's Graph client over HTTPS against the emulator, MSAL for tokens."""

import pytest

from contacts.models import Contact, ContactNumber, FolderSyncState, MailboxSyncState
from integrations.graph import clear_clients
from integrations.sync.models import DeltaCursor, SyncEvent, SyncRun
from tests.helpers.contact_sync import connect, share_reception, sync, synced_users

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def setup(emu, organization):
    connect(emu, organization)
    share_reception(emu, organization)
    return synced_users(emu, organization)


def names(queryset):
    return sorted(queryset.values_list("display_name", flat=True))


def emulator_contacts(emu, user_id):
    token = emu.app_token()
    folders = emu.control("GET", f"mailboxes/{user_id}")["folders"]
    out = []
    for folder in folders:
        out += emu.graph("GET", f"users/{user_id}/contactFolders/{folder['id']}/contacts?$top=100",
                         token=token).json()["value"]
    return out


def test_personal_contacts_for_their_owner_only_and_shared_for_everyone(emu, organization, setup):
    result = sync(organization)
    assert result["status"] == "succeeded", result
    assert result["mailboxes"] == 4 and result["folders"] == 5  # 3 users' default folders + Reception's two
    assert result["contacts_created"] == 3 * 3 + 30
    for extension in setup:
        expected = sorted(c["displayName"] for c in emulator_contacts(emu, str(extension.entra_object_id)))
        assert names(Contact.objects.filter(owner=extension)) == expected
        visible = Contact.objects.visible_to(organization, extension)
        assert visible.count() == 30 + 3
        others = [e for e in setup if e != extension]
        assert not visible.filter(owner__in=others).exists()
    company = Contact.objects.filter(organization=organization, owner__isnull=True)
    reception = emu.tenant["shared_mailboxes"][0]
    assert names(company) == sorted(c["displayName"] for c in emulator_contacts(emu, reception))
    # Numbers are normalized to E.164 with the originals kept.
    number = ContactNumber.objects.filter(contact__in=company, kind="business").first()
    assert number.e164.startswith("+1312555") and number.original.startswith("+1 312 555")
    assert result["graph_requests"] <= 8, result


def test_add_change_delete_reflected_after_one_cycle(emu, organization, setup):
    alice = setup[0]
    sync(organization)
    user_id = str(alice.entra_object_id)
    existing = emulator_contacts(emu, user_id)
    added = emu.control("POST", f"mailboxes/{user_id}/contacts",
                        {"givenName": "Zelda", "surname": "Newcomer", "businessPhones": ["(312) 555-0199"]})
    emu.control("PATCH", f"mailboxes/{user_id}/contacts/{existing[0]['id']}", {"displayName": "Renamed Person"})
    emu.control("DELETE", f"mailboxes/{user_id}/contacts/{existing[1]['id']}")
    result = sync(organization)
    assert (result["contacts_created"], result["contacts_updated"], result["contacts_deleted"]) == (1, 1, 1), result
    mine = Contact.objects.filter(owner=alice)
    assert names(mine) == sorted(["Zelda Newcomer", "Renamed Person", existing[2]["displayName"]])
    zelda = mine.get(source_id=added["id"])
    assert zelda.numbers.get().e164 == "+13125550199"
    assert not Contact.objects.filter(source_id=existing[1]["id"]).exists()
    event = SyncEvent.objects.filter(run_id=result["run"], action="updated").get()
    assert event.after == {"created": 1, "updated": 1, "deleted": 1}
    assert "Zelda" not in (event.subject + event.reason)  # personal contacts stay out of the admin's log


def test_expired_delta_token_resyncs_that_folder_only(emu, organization, setup):
    sync(organization)
    alice_id = str(setup[0].entra_object_id)
    stale = Contact.objects.filter(owner=setup[0]).first()
    # Deleted while the token was expired: the full read of the folder must notice it.
    emu.control("DELETE", f"mailboxes/{alice_id}/contacts/{stale.source_id}")
    emu.control("POST", "faults", {"kind": "delta_expired_410", "path": f"users/{alice_id}/contactFolders",
                                   "count": 1})
    emu.control("DELETE", "requests")
    result = sync(organization)
    assert result["status"] == "succeeded" and result["folders_resynced"] == 1, result
    assert result["contacts_deleted"] == 1 and result["contacts_created"] == 0 and result["contacts_updated"] == 0
    assert not Contact.objects.filter(pk=stale.pk).exists()
    by_path = emu.request_counts()["by_path"]
    delta_reads = {path: n for path, n in by_path.items() if path.endswith("/contacts/delta")}
    assert delta_reads[f"GET /v1.0/users/{alice_id}/contactFolders/{_default_folder(setup[0])}/contacts/delta"] == 2
    assert sorted(n for path, n in delta_reads.items() if alice_id not in path) == [1, 1, 1, 1]


def _default_folder(extension):
    return FolderSyncState.objects.get(mailbox__owner=extension).folder_id


def test_mailbox_answering_403_is_reported_and_others_continue(emu, organization, setup):
    alice, bob, _carol = setup
    emu.control("POST", f"mailboxes/{bob.entra_object_id}/access", {"refuse": 403})
    emu.control("POST", f"mailboxes/{_carol.entra_object_id}/access", {"refuse": 404})
    result = sync(organization)
    assert result["status"] == "succeeded", result
    assert result["mailboxes_failed"] == 2
    assert Contact.objects.filter(owner=alice).count() == 3
    assert Contact.objects.filter(owner__isnull=True).count() == 30
    assert not Contact.objects.filter(owner=bob).exists()
    bob_state = MailboxSyncState.objects.get(owner=bob)
    assert bob_state.status == MailboxSyncState.Status.DENIED and "ErrorAccessDenied" in bob_state.last_error
    carol_state = MailboxSyncState.objects.get(owner=_carol)
    assert carol_state.status == MailboxSyncState.Status.NO_MAILBOX
    assert "MailboxNotEnabledForRESTAPI" in carol_state.last_error
    errors = SyncEvent.objects.filter(run_id=result["run"], action="error")
    assert sorted(errors.values_list("subject", flat=True)) == sorted([str(bob_state), str(carol_state)])
    # Access restored: the next cycle syncs Bob, keeping everybody else's contacts.
    emu.control("POST", f"mailboxes/{bob.entra_object_id}/access", {"refuse": None})
    result = sync(organization)
    assert result["mailboxes_failed"] == 1 and Contact.objects.filter(owner=bob).count() == 3
    assert MailboxSyncState.objects.get(owner=bob).status == MailboxSyncState.Status.OK


def test_throttled_sub_requests_wait_retry_after(emu, organization, setup, monkeypatch):
    from integrations.connection_client import graph_client_for
    from integrations.models import EntraConnection

    client = graph_client_for(EntraConnection.objects.get(organization=organization))
    waits = []
    monkeypatch.setattr(client, "_sleep", waits.append)
    emu.control("POST", "faults", {"kind": "429", "path": "/contacts/delta", "count": 3, "retry_after": 2})
    result = sync(organization)
    assert result["status"] == "succeeded", result
    assert waits and all(w == 2 for w in waits), waits
    assert Contact.objects.filter(organization=organization).count() == 39


def test_missing_contacts_permission_fails_the_run_naming_it(emu, organization, setup):
    emu.control("POST", "app/permissions", {"revoke": ["Contacts.Read", "Contacts.ReadWrite"]})
    result = sync(organization)
    assert result["status"] == "failed"
    assert "Contacts.Read" in result["error"]
    assert SyncRun.objects.get(pk=result["run"]).status == "failed"
    assert not Contact.objects.exists()


def test_quiet_cycle_costs_one_request_per_folder_at_most(emu, organization, setup):
    # More mailboxes and folders than one $batch holds.
    from extensions.models import Extension
    from tests.helpers.factories import make_extension

    for i, user in enumerate(emu.tenant["users"][3:5]):
        make_extension(organization, number=str(3000 + i), display_name=user["display_name"],
                       entra_object_id=user["id"], source=Extension.Source.ENTRA)
    for index in range(6):
        emu.control("POST", f"mailboxes/{setup[0].entra_object_id}/folders", {"displayName": f"Folder {index}"})
    first = sync(organization)
    assert first["status"] == "succeeded"
    emu.control("DELETE", "requests")
    quiet = sync(organization)
    folders = quiet["folders"]
    assert folders == 6 + 6 + 1  # 5 users' default folders + Alice's 6 + Reception's 2
    assert quiet["graph_requests"] <= folders
    counts = emu.request_counts()
    sub_requests = sum(n for route, n in counts["by_route"].items() if "delta" in route)
    assert sub_requests == folders  # one delta read per folder, nothing else
    # ... sent in $batch requests of <= 20, at most 4 per mailbox (Alice's 7 folders need two batches).
    assert quiet["graph_requests"] == 2
    assert (quiet["contacts_created"], quiet["contacts_updated"], quiet["contacts_deleted"]) == (0, 0, 0)
    assert DeltaCursor.objects.filter(organization=organization, kind="contacts").count() == folders


def test_picker_searches_mailboxes_and_lists_folders_through_graph(emu, organization):
    from contacts.models import PickerRequest
    from contacts.services import picker_request_run
    from tests.helpers.contact_sync import connect

    connect(emu, organization)
    search = picker_request_run(request=PickerRequest.objects.create(organization=organization, action="search",
                                                                     query="recep"))
    assert search.status == "done", search.error
    assert search.results[0]["name"] == "Reception" and search.results[0]["shared"] is True
    folders = picker_request_run(request=PickerRequest.objects.create(
        organization=organization, action="folders", query=search.results[0]["id"]))
    assert [f["name"] for f in folders.results] == ["Contacts", "Suppliers"]
    emu.control("POST", "app/permissions", {"revoke": ["Contacts.Read", "Contacts.ReadWrite"]})

    clear_clients()
    denied = picker_request_run(request=PickerRequest.objects.create(
        organization=organization, action="folders", query=search.results[0]["id"]))
    assert denied.status == "failed" and "Contacts.Read" in denied.error
