from tests.helpers.emulator import all_pages


def _group(emu, token, name):
    groups = emu.graph("GET", "groups", token=token).json()["value"]
    return next(g for g in groups if g["displayName"] == name)


def test_transitive_members_flatten_nested_groups(emulator_clean, app_token):
    emu = emulator_clean
    all_staff = _group(emu, app_token, "All Staff")
    sales = _group(emu, app_token, "Sales")
    flat, _, _ = all_pages(emu, f"groups/{all_staff['id']}/transitiveMembers/microsoft.graph.user?$select=id,"
                                "department&$top=50", app_token)
    sales_members, _, _ = all_pages(emu, f"groups/{sales['id']}/transitiveMembers/microsoft.graph.user", app_token)
    ids = [u["id"] for u in flat]
    assert len(ids) == len(set(ids))
    assert {u["id"] for u in sales_members} <= set(ids)
    assert {u["department"] for u in flat} >= {"Sales", "Engineering"}


def test_nested_membership_changes_through_control(emulator_clean, app_token):
    emu = emulator_clean
    users = emu.tenant["users"]
    inner = emu.control("POST", "/_emulator/groups", json={"displayName": "Inner", "members": [users[0]["id"]]})
    outer = emu.control("POST", "/_emulator/groups", json={"displayName": "Outer", "members": [users[1]["id"]]})
    emu.control("POST", f"/_emulator/groups/{outer['id']}/members", json={"id": inner["id"], "type": "group"})
    url = f"groups/{outer['id']}/transitiveMembers/microsoft.graph.user?$select=id"
    got = {u["id"] for u in emu.graph("GET", url, token=app_token).json()["value"]}
    assert got == {users[0]["id"], users[1]["id"]}
    emu.control("DELETE", f"/_emulator/groups/{outer['id']}/members/{inner['id']}")
    got = {u["id"] for u in emu.graph("GET", url, token=app_token).json()["value"]}
    assert got == {users[1]["id"]}
    direct = emu.graph("GET", f"groups/{outer['id']}/members", token=app_token).json()["value"]
    assert [m["@odata.type"] for m in direct] == ["#microsoft.graph.user"]


def test_group_members_need_permission(emulator_clean):
    emu = emulator_clean
    emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["GroupMember.Read.All"]})
    token = emu.app_token()
    group = emu.graph("GET", "groups", token=emu.app_token())
    assert group.status_code == 403
    assert group.json()["error"]["code"] == "Authorization_RequestDenied"
    assert token
