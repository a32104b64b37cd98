"""Groups as the sync engine reads them (exact Graph shapes and paging), and the bulk control call."""

from urllib.parse import urlsplit

import pytest
import requests

from tests.helpers.emulator import all_pages


def test_groups_select_top_pages_with_graph_shapes(emulator_clean, app_token):
    emu = emulator_clean
    for i in range(4):
        emu.control("POST", "/_emulator/groups", json={"displayName": f"Extra {i}"})
    total = len(emu.graph("GET", "groups?$select=id&$top=999", token=app_token).json()["value"])
    emu.control("DELETE", "/_emulator/requests")
    first = emu.graph("GET", "groups?$select=id,displayName&$top=3", token=app_token).json()
    assert first["@odata.context"] == f"{emu.base_url}/v1.0/$metadata#groups(id,displayName)"
    assert list(first) == ["@odata.context", "@odata.nextLink", "value"]
    assert all(set(g) == {"id", "displayName"} for g in first["value"])
    next_query = urlsplit(first["@odata.nextLink"]).query
    assert "$select=id,displayName" in next_query and "$top=3" in next_query and "$skiptoken=" in next_query
    items, pages, last = all_pages(emu, "groups?$select=id,displayName&$top=3", app_token)
    assert len(items) == len({g["id"] for g in items}) == total and pages == -(-total // 3)
    assert "@odata.nextLink" not in last
    one, pages, _ = all_pages(emu, "groups?$select=id,displayName&$top=999", app_token)
    assert pages == 1 and len(one) == total
    assert emu.request_counts()["by_route"]["GET /v1.0/groups"] == 1 + -(-total // 3) + 1
    bad = emu.graph("GET", "groups?$top=1000", token=app_token)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "Request_UnsupportedQuery"


def test_get_group_by_id(emulator_clean, app_token):
    emu = emulator_clean
    group = emu.graph("GET", "groups?$select=id,displayName&$top=1", token=app_token).json()["value"][0]
    body = emu.graph("GET", f"groups/{group['id']}?$select=id,displayName", token=app_token).json()
    assert body == {"@odata.context": f"{emu.base_url}/v1.0/$metadata#groups(id,displayName)/$entity", **group}
    full = emu.graph("GET", f"groups/{group['id']}", token=app_token).json()
    assert full["@odata.context"].endswith("#groups/$entity") and full["securityEnabled"] is True
    missing = emu.graph("GET", "groups/00000000-0000-4000-8000-000000000000", token=app_token)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "Request_ResourceNotFound"


def test_transitive_user_members_page_by_999(emulator_clean, app_token):
    emu = emulator_clean
    ops = [{"op": "create", "user": {"displayName": f"Bulk {i}", "mailNickname": f"bulk{i}"}} for i in range(1100)]
    created = emu.control("POST", "/_emulator/users/bulk", json={"operations": ops})
    member_ids = [r["id"] for r in created["results"]]
    group = emu.control("POST", "/_emulator/groups", json={"displayName": "Big", "members": member_ids[:600]})
    inner = emu.control("POST", "/_emulator/groups", json={"displayName": "Big inner", "members": member_ids[600:]})
    emu.control("POST", f"/_emulator/groups/{group['id']}/members", json={"id": inner["id"], "type": "group"})
    emu.control("DELETE", "/_emulator/requests")
    select = "id,displayName,userPrincipalName,accountEnabled"
    url = f"groups/{group['id']}/transitiveMembers/microsoft.graph.user?$select={select}&$top=999"
    first = emu.graph("GET", url, token=app_token).json()
    assert first["@odata.context"] == f"{emu.base_url}/v1.0/$metadata#users({select})"
    assert len(first["value"]) == 999 and set(first["value"][0]) == set(select.split(","))
    assert "@odata.type" not in first["value"][0]
    items, pages, _ = all_pages(emu, url, app_token)
    assert pages == 2 and sorted(u["id"] for u in items) == sorted(member_ids)
    route = "GET /v1.0/groups/{group_id}/transitiveMembers/microsoft.graph.user"
    assert emu.request_counts()["by_route"] == {route: 3}


def test_bulk_applies_every_kind_of_operation(emulator_clean, app_token):
    emu = emulator_clean
    users = emu.tenant["users"]
    before = emu.control("GET", "/_emulator/state")["users"]
    emu.control("POST", f"/_emulator/users/{users[3]['id']}/soft-delete")
    ops = [
        {"op": "create", "user": {"displayName": "Ada Lovelace", "mailNickname": "ada", "department": "R&D"}},
        {"op": "update", "id": users[0]["id"], "changes": {"jobTitle": "Chief Listener"}},
        {"op": "soft-delete", "id": users[1]["id"]},
        {"op": "hard-delete", "id": users[2]["id"]},
        {"op": "restore", "id": users[3]["id"]},
    ]
    result = emu.control("POST", "/_emulator/users/bulk", json={"operations": ops})
    assert result["applied"] == 5 and [r["op"] for r in result["results"]] == [o["op"] for o in ops]
    state = emu.control("GET", "/_emulator/state")
    assert state["users"] == before - 1 and state["soft_deleted_users"] == 1  # +1 created, -2 deleted, +1 restored
    assert emu.control("GET", f"/_emulator/users/{users[0]['id']}")["jobTitle"] == "Chief Listener"
    assert emu.control("GET", f"/_emulator/users/{users[1]['id']}")["_state"] == "changed"
    assert emu.graph("GET", f"users/{users[2]['id']}", token=app_token).status_code == 404
    assert emu.graph("GET", f"users/{result['results'][0]['id']}", token=app_token).json()["displayName"] == \
        "Ada Lovelace"


def test_bulk_changes_surface_in_delta(emulator_clean, app_token):
    emu = emulator_clean
    _, _, last = all_pages(emu, "users/delta?$select=id,jobTitle", app_token, {"Prefer": "odata.maxpagesize=999"})
    ids = [u["id"] for u in emu.tenant["users"]][:5]
    ops = [{"op": "update", "id": i, "changes": {"jobTitle": f"T{n}"}} for n, i in enumerate(ids)]
    emu.control("POST", "/_emulator/users/bulk", json={"operations": ops})
    changes, _, _ = all_pages(emu, last["@odata.deltaLink"], app_token)
    assert {c["id"]: c["jobTitle"] for c in changes} == {i: f"T{n}" for n, i in enumerate(ids)}


@pytest.mark.parametrize("body", [
    {"operations": [{"op": "explode", "id": "x"}]},
    {"operations": [{"op": "update", "id": "x"}]},
    {"operations": [{"op": "create", "user": {"noSuchProperty": 1}}]},
    {"operations": [{"op": "soft-delete"}]},
    {"operations": "not a list"},
])
def test_bulk_rejects_a_bad_list_before_applying_anything(emulator_clean, body):
    emu = emulator_clean
    seq = emu.control("GET", "/_emulator/state")["user_change_seq"]
    ops = [{"op": "create", "user": {"displayName": "Should Not Exist"}}]
    if isinstance(body["operations"], list):
        body = {"operations": ops + body["operations"]}
    with pytest.raises(requests.HTTPError) as caught:
        emu.control("POST", "/_emulator/users/bulk", json=body)
    assert caught.value.response.status_code == 400
    assert emu.control("GET", "/_emulator/state")["user_change_seq"] == seq


def test_bulk_stops_at_a_runtime_failure_and_says_where(emulator_clean):
    emu = emulator_clean
    ops = [{"op": "create", "user": {"displayName": "One", "mailNickname": "one.only"}},
           {"op": "hard-delete", "id": "00000000-0000-4000-8000-000000000000"},
           {"op": "create", "user": {"displayName": "Never", "mailNickname": "never"}}]
    resp = requests.post(f"{emu.base_url}/_emulator/users/bulk", json={"operations": ops}, verify=emu.ca_path,
                         timeout=30)
    assert resp.status_code == 404
    body = resp.json()
    assert body["index"] == 1 and body["applied"] == 1 and "operation 1 (hard-delete)" in body["error"]
