from tests.helpers.emulator import all_pages


def _shared(emu):
    return emu.tenant["shared_mailboxes"][0]


def test_shared_and_personal_mailbox_contacts(emulator_clean, app_token):
    emu = emulator_clean
    shared, _, _ = all_pages(emu, f"users/{_shared(emu)}/contacts?$top=5", app_token)
    assert len(shared) == 24  # 30 seeded, 6 of them in the "Suppliers" folder
    assert all(c["emailAddresses"] and "parentFolderId" in c for c in shared)
    folders = emu.graph("GET", f"users/{_shared(emu)}/contactFolders", token=app_token).json()["value"]
    suppliers = next(f for f in folders if f["displayName"] == "Suppliers")
    in_folder, _, _ = all_pages(emu, f"users/{_shared(emu)}/contactFolders/{suppliers['id']}/contacts", app_token)
    assert len(in_folder) == 6
    personal = emu.graph("GET", f"users/{emu.tenant['users'][0]['id']}/contacts", token=app_token).json()
    assert len(personal["value"]) == 3
    default = emu.graph("GET", f"users/{_shared(emu)}/contactFolders/contacts", token=app_token).json()
    assert default["id"] == shared[0]["parentFolderId"]


def test_contacts_delta_reports_add_update_delete(emulator_clean, app_token):
    emu = emulator_clean
    mailbox = _shared(emu)
    url = f"users/{mailbox}/contactFolders/contacts/contacts/delta?$select=displayName,emailAddresses,businessPhones"
    first, _, last = all_pages(emu, url, app_token, {"Prefer": "odata.maxpagesize=50"})
    assert len(first) == 24 and all(c["@odata.type"] == "#microsoft.graph.contact" for c in first)
    link = last["@odata.deltaLink"]
    added = emu.control("POST", f"/_emulator/mailboxes/{mailbox}/contacts",
                        json={"givenName": "Ada", "surname": "Lovelace", "businessPhones": ["+44 20 5555 0100"]})
    emu.control("PATCH", f"/_emulator/mailboxes/{mailbox}/contacts/{first[0]['id']}",
                json={"businessPhones": ["+1 555 0000"]})
    emu.control("DELETE", f"/_emulator/mailboxes/{mailbox}/contacts/{first[1]['id']}")
    changes, _, last = all_pages(emu, link, app_token)
    by_id = {c["id"]: c for c in changes}
    assert set(by_id) == {added["id"], first[0]["id"], first[1]["id"]}
    assert by_id[added["id"]]["displayName"] == "Ada Lovelace"
    assert by_id[first[0]["id"]]["businessPhones"] == ["+1 555 0000"]
    assert by_id[first[1]["id"]]["@removed"] == {"reason": "deleted"}
    again, _, _ = all_pages(emu, last["@odata.deltaLink"], app_token)
    assert again == []


def test_new_shared_mailbox(emulator_clean, app_token):
    emu = emulator_clean
    box = emu.control("POST", "/_emulator/mailboxes", json={"displayName": "Front Desk", "mailNickname": "frontdesk"})
    emu.control("POST", f"/_emulator/mailboxes/{box['id']}/contacts", json={"displayName": "Courier"})
    got = emu.graph("GET", f"users/{box['userPrincipalName']}/contacts", token=app_token).json()["value"]
    assert [c["displayName"] for c in got] == ["Courier"]


def test_contacts_need_contacts_read(emulator_clean):
    emu = emulator_clean
    emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["Contacts.Read"]})
    resp = emu.graph("GET", f"users/{_shared(emu)}/contacts", token=emu.app_token())
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "ErrorAccessDenied"


def test_unknown_mailbox(emulator_clean, app_token):
    resp = emulator_clean.graph("GET", "users/nobody@contoso.example/contacts", token=app_token)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "ErrorInvalidUser"
