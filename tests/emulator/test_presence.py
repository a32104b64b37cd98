VALID = {"Available", "AvailableIdle", "Away", "BeRightBack", "Busy", "BusyIdle", "DoNotDisturb", "Offline",
         "PresenceUnknown"}


def test_get_presences_by_user_id(emulator_clean, app_token):
    emu = emulator_clean
    ids = [u["id"] for u in emu.tenant["users"]]
    resp = emu.graph("POST", "communications/getPresencesByUserId", token=app_token, json={"ids": ids})
    assert resp.status_code == 200, resp.text
    value = resp.json()["value"]
    assert [p["id"] for p in value] == ids
    assert all(p["availability"] in VALID and p["activity"] for p in value)


def test_more_than_650_ids_is_rejected(emulator_clean, app_token):
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(651)]
    resp = emulator_clean.graph("POST", "communications/getPresencesByUserId", token=app_token, json={"ids": ids})
    assert resp.status_code == 400


def test_set_presence_needs_readwrite(emulator_clean):
    emu = emulator_clean
    emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["Presence.ReadWrite.All"]})
    token = emu.app_token()
    user = emu.tenant["users"][0]["id"]
    body = {"sessionId": emu.client_id, "availability": "Busy", "activity": "InACall"}
    assert emu.graph("POST", f"users/{user}/presence/setPresence", token=token, json=body).status_code == 403
    assert emu.graph("POST", "communications/getPresencesByUserId", token=token,
                     json={"ids": [user]}).status_code == 200
