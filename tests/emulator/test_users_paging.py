import pytest

from tests.helpers.emulator import all_pages

DEFAULT_KEYS = {"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
                "preferredLanguage", "surname", "userPrincipalName", "id"}


@pytest.mark.parametrize("top", [999, 7, None])
def test_paging_returns_every_user_exactly_once(emulator_clean, app_token, top):
    emu = emulator_clean
    expected = emu.control("GET", "/_emulator/state")["users"]
    query = "users?$select=id,displayName,onPremisesExtensionAttributes" + (f"&$top={top}" if top else "")
    items, pages, _ = all_pages(emu, query, app_token)
    ids = [u["id"] for u in items]
    assert len(ids) == len(set(ids)) == expected
    assert pages == -(-expected // (top or 100))
    counts = emu.request_counts()["by_route"]
    assert counts["GET /v1.0/users"] == pages


def test_default_property_set_and_context(emulator_clean, app_token):
    body = emulator_clean.graph("GET", "users?$top=2", token=app_token).json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#users")
    assert all(set(u) == DEFAULT_KEYS for u in body["value"])
    assert body["@odata.nextLink"].startswith(f"{emulator_clean.base_url}/v1.0/users?")


def test_selected_properties_only(emulator_clean, app_token):
    body = emulator_clean.graph(
        "GET", "users?$select=displayName,accountEnabled,employeeId,onPremisesExtensionAttributes,userType",
        token=app_token).json()
    user = body["value"][0]
    assert set(user) == {"id", "displayName", "accountEnabled", "employeeId", "onPremisesExtensionAttributes",
                         "userType"}
    assert set(user["onPremisesExtensionAttributes"]) == {f"extensionAttribute{i}" for i in range(1, 16)}


def test_some_seeded_users_have_extensions(emulator_clean, app_token):
    items, _, _ = all_pages(emulator_clean, "users?$top=999&$select=onPremisesExtensionAttributes,employeeId",
                            app_token)
    with_ext = [u for u in items if u["onPremisesExtensionAttributes"]["extensionAttribute1"]]
    assert 0 < len(with_ext) < len(items)
    assert any(u["employeeId"] for u in items)


@pytest.mark.parametrize("top", ["0", "1000", "abc"])
def test_top_out_of_range(emulator_clean, app_token, top):
    resp = emulator_clean.graph("GET", f"users?$top={top}", token=app_token)
    assert resp.status_code == 400


def test_unknown_select_property(emulator_clean, app_token):
    resp = emulator_clean.graph("GET", "users?$select=nope", token=app_token)
    assert resp.status_code == 400 and "nope" in resp.json()["error"]["message"]


def test_get_user_by_id_and_upn(emulator_clean, app_token):
    emu = emulator_clean
    demo = emu.tenant["users"][0]
    by_id = emu.graph("GET", f"users/{demo['id']}", token=app_token).json()
    by_upn = emu.graph("GET", f"users/{demo['username']}?$select=displayName,department", token=app_token).json()
    assert by_id["id"] == by_upn["id"] == demo["id"]
    assert set(by_upn) == {"@odata.context", "id", "displayName", "department"}
    missing = emu.graph("GET", "users/00000000-0000-4000-8000-000000000000", token=app_token)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "Request_ResourceNotFound"


def test_paging_stable_while_users_change(emulator_clean, app_token):
    emu = emulator_clean
    first = emu.graph("GET", "users?$top=50&$select=id", token=app_token).json()
    seen = [u["id"] for u in first["value"]]
    new = emu.control("POST", "/_emulator/users", json={"displayName": "Zed New", "mailNickname": "zed.new"})
    rest, _, _ = all_pages(emu, first["@odata.nextLink"], app_token)
    seen += [u["id"] for u in rest]
    assert len(seen) == len(set(seen))
    assert len(seen) in (250, 251) and (new["id"] in seen or new["id"] < seen[49])


def test_client_request_id_is_echoed(emulator_clean, app_token):
    resp = emulator_clean.graph("GET", "users?$top=1", token=app_token, headers={"client-request-id": "abc-123"})
    assert resp.headers["client-request-id"] == "abc-123" and resp.headers["request-id"]
