import pytest

ADVANCED = {"ConsistencyLevel": "eventual"}


def _users(emu, token, query, headers=None):
    resp = emu.graph("GET", f"users?$top=999&{query}", token=token, headers=headers or {})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_eq_startswith_in_and_or(emulator_clean, app_token):
    emu = emulator_clean
    demo = emu.tenant["users"]
    one = _users(emu, app_token, f"$filter=userPrincipalName eq '{demo[0]['username'].upper()}'")["value"]
    assert [u["id"] for u in one] == [demo[0]["id"]]
    sales = _users(emu, app_token, "$filter=department eq 'Sales'&$select=department")["value"]
    assert sales and all(u["department"] == "Sales" for u in sales)
    starts = _users(emu, app_token, "$filter=startswith(displayName,'adele')")["value"]
    assert [u["displayName"] for u in starts] == ["Adele Vance"]
    ids = [demo[0]["id"], demo[1]["id"]]
    listed = _users(emu, app_token, f"$filter=id in ('{ids[0]}','{ids[1]}')")["value"]
    assert sorted(u["id"] for u in listed) == sorted(ids)
    both = _users(emu, app_token, "$filter=department eq 'Sales' and accountEnabled eq true&$select=accountEnabled,"
                                  "department")["value"]
    assert both and all(u["accountEnabled"] and u["department"] == "Sales" for u in both)
    either = _users(emu, app_token, "$filter=department eq 'Sales' or department eq 'HR'&$select=department")["value"]
    assert {u["department"] for u in either} == {"Sales", "HR"}


@pytest.mark.parametrize("flt,needle", [
    ("endswith(mail,'@contoso.example')", "Operator 'endsWith' is not supported"),
    ("accountEnabled ne true", "Operator 'ne' is not supported"),
    ("onPremisesExtensionAttributes/extensionAttribute1 eq '1000'", "property 'onPremisesExtensionAttributes"),
    ("mobilePhone eq null", "property 'mobilePhone'"),
])
def test_advanced_filters_need_consistency_level_and_count(emulator_clean, app_token, flt, needle):
    emu = emulator_clean
    resp = emu.graph("GET", f"users?$filter={flt}", token=app_token)
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "Request_UnsupportedQuery"
    assert needle in resp.json()["error"]["message"]
    without_count = emu.graph("GET", f"users?$filter={flt}", token=app_token, headers=ADVANCED)
    assert without_count.status_code == 400
    ok = _users(emu, app_token, f"$filter={flt}&$count=true", ADVANCED)
    assert ok["@odata.count"] == len(ok["value"])


def test_extension_attribute_filter_finds_the_user(emulator_clean, app_token):
    body = _users(emulator_clean, app_token,
                  "$filter=onPremisesExtensionAttributes/extensionAttribute1 eq '1000'&$count=true"
                  "&$select=displayName,onPremisesExtensionAttributes", ADVANCED)
    assert [u["onPremisesExtensionAttributes"]["extensionAttribute1"] for u in body["value"]] == ["1000"]


def test_count_without_header_is_silently_ignored(emulator_clean, app_token):
    body = _users(emulator_clean, app_token, "$count=true")
    assert "@odata.count" not in body


def test_filter_with_orderby_needs_advanced(emulator_clean, app_token):
    emu = emulator_clean
    q = "$filter=department eq 'Sales'&$orderby=displayName"
    assert emu.graph("GET", f"users?{q}", token=app_token).status_code == 400
    names = [u["displayName"] for u in _users(emu, app_token, q + "&$count=true", ADVANCED)["value"]]
    assert names == sorted(names, key=str.lower)


def test_unknown_property_and_bad_syntax(emulator_clean, app_token):
    emu = emulator_clean
    assert emu.graph("GET", "users?$filter=shoeSize eq 3", token=app_token).status_code == 400
    assert emu.graph("GET", "users?$filter=displayName eq", token=app_token).status_code == 400
