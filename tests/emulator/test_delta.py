from tests.helpers.emulator import all_pages

SELECT = "id,displayName,mail,accountEnabled,department,onPremisesExtensionAttributes"


def _round(emu, token, url, headers=None):
    """Follow a delta round to its deltaLink; returns (items, deltaLink, pages)."""
    items, pages, last = all_pages(emu, url, token, headers)
    assert "@odata.deltaLink" in last and "@odata.nextLink" not in last
    return items, last["@odata.deltaLink"], pages


def test_initial_round_lists_every_user_once(emulator_clean, app_token):
    emu = emulator_clean
    items, link, pages = _round(emu, app_token, f"users/delta?$select={SELECT}")
    assert len({u["id"] for u in items}) == len(items) == 250
    assert pages == 3  # default page size 100
    assert "$deltatoken=" in link and link.startswith(f"{emu.base_url}/v1.0/users/delta?")
    smaller, _, pages = _round(emu, app_token, f"users/delta?$select={SELECT}",
                               {"Prefer": "odata.maxpagesize=999"})
    assert pages == 1 and len(smaller) == 250


def test_next_round_reports_exactly_the_changes(emulator_clean, app_token):
    emu = emulator_clean
    _, link, _ = _round(emu, app_token, f"users/delta?$select={SELECT}")
    users = emu.tenant["users"]
    created = emu.control("POST", "/_emulator/users", json={"displayName": "New Hire", "mailNickname": "new.hire",
                                                            "department": "Sales"})
    emu.control("PATCH", f"/_emulator/users/{users[0]['id']}", json={"department": "Finance"})
    emu.control("PATCH", f"/_emulator/users/{users[1]['id']}", json={"jobTitle": "Not selected"})
    emu.control("PATCH", f"/_emulator/users/{users[2]['id']}",
                json={"onPremisesExtensionAttributes": {"extensionAttribute1": "4242"}})
    emu.control("POST", f"/_emulator/users/{users[3]['id']}/soft-delete")
    emu.control("DELETE", f"/_emulator/users/{users[4]['id']}")
    items, link2, _ = _round(emu, app_token, link)
    by_id = {u["id"]: u for u in items}
    assert set(by_id) == {created["id"], users[0]["id"], users[2]["id"], users[3]["id"], users[4]["id"]}
    assert by_id[created["id"]]["displayName"] == "New Hire"
    assert by_id[users[0]["id"]]["department"] == "Finance" and "mail" in by_id[users[0]["id"]]
    assert by_id[users[2]["id"]]["onPremisesExtensionAttributes"]["extensionAttribute1"] == "4242"
    assert by_id[users[3]["id"]] == {"id": users[3]["id"], "@removed": {"reason": "changed"}}
    assert by_id[users[4]["id"]] == {"id": users[4]["id"], "@removed": {"reason": "deleted"}}
    empty, _, _ = _round(emu, app_token, link2)
    assert empty == []
    emu.control("POST", f"/_emulator/users/{users[3]['id']}/restore")
    restored, _, _ = _round(emu, app_token, link2)
    assert [u["id"] for u in restored] == [users[3]["id"]] and restored[0]["displayName"]


def test_deltatoken_latest_gives_an_empty_round(emulator_clean, app_token):
    emu = emulator_clean
    body = emu.graph("GET", f"users/delta?$select={SELECT}&$deltatoken=latest", token=app_token).json()
    assert body["value"] == [] and "@odata.deltaLink" in body
    emu.control("PATCH", f"/_emulator/users/{emu.tenant['users'][0]['id']}", json={"displayName": "Renamed"})
    items, _, _ = _round(emu, app_token, body["@odata.deltaLink"])
    assert [u["displayName"] for u in items] == ["Renamed"]


def test_many_changes_page_through_next_links(emulator_clean, app_token):
    emu = emulator_clean
    _, link, _ = _round(emu, app_token, "users/delta?$select=id,displayName")
    users, _, _ = all_pages(emu, "users?$top=150&$select=id", app_token)
    for user in users[:150]:
        emu.control("PATCH", f"/_emulator/users/{user['id']}", json={"displayName": "x"})
    items, _, pages = _round(emu, app_token, link)
    assert len(items) == 150 and pages == 2


def test_expired_tokens_answer_sync_state_not_found(emulator_clean, app_token):
    emu = emulator_clean
    _, link, _ = _round(emu, app_token, f"users/delta?$select={SELECT}")
    emu.control("POST", "/_emulator/delta/expire", json={"mode": "400"})
    resp = emu.graph("GET", link, token=app_token)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "syncStateNotFound"
    emu.control("POST", "/_emulator/delta/expire", json={"mode": "410"})
    gone = emu.graph("GET", link, token=app_token)
    assert gone.status_code == 410
    assert gone.headers["Location"].startswith(f"{emu.base_url}/v1.0/users/delta")
    items, _, _ = _round(emu, app_token, gone.headers["Location"])
    assert len(items) == 250


def test_delta_expired_fault_hits_only_token_requests(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "delta_expired_400", "path": "/users/delta", "count": 1})
    one_page = {"Prefer": "odata.maxpagesize=999"}
    _, link, _ = _round(emu, app_token, "users/delta?$select=id", one_page)  # no token: not affected
    resp = emu.graph("GET", link, token=app_token)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "syncStateNotFound"
    assert emu.graph("GET", link, token=app_token).status_code == 200  # count=1: only once


def test_delta_filter_by_id(emulator_clean, app_token):
    emu = emulator_clean
    ids = [u["id"] for u in emu.tenant["users"][:2]]
    items, _, _ = _round(emu, app_token, f"users/delta?$filter=id eq '{ids[0]}' or id eq '{ids[1]}'")
    assert sorted(u["id"] for u in items) == sorted(ids)
