"""The emulator's payloads carry (at least) the keys of Microsoft's documented samples in tests/fixtures/graph."""


import pytest

from tests.helpers.graph_payloads import load as fixture


def assert_keys_cover(documented: dict, actual: dict, where: str = "$") -> None:
    """Every key of the documented object is in ours; nested objects and first list items are compared too."""
    missing = set(documented) - set(actual)
    assert not missing, f"{where}: missing {sorted(missing)}"
    for key, value in documented.items():
        if isinstance(value, dict) and isinstance(actual[key], dict):
            assert_keys_cover(value, actual[key], f"{where}.{key}")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            assert actual[key], f"{where}.{key}: empty, cannot compare items"
            assert_keys_cover(value[0], actual[key][0], f"{where}.{key}[0]")


def test_list_users(emulator_clean, app_token):
    documented = fixture("users_list.json")
    actual = emulator_clean.graph("GET", "users?$top=2", token=app_token).json()
    assert set(actual["value"][0]) == set(documented["value"][0])  # the default property set, exactly
    assert_keys_cover(documented, actual)


def test_users_delta(emulator_clean, app_token):
    actual = emulator_clean.graph("GET", "users/delta", token=app_token).json()
    assert_keys_cover(fixture("users_delta.json"), actual)


def test_list_contacts(emulator_clean, app_token):
    mailbox = emulator_clean.tenant["shared_mailboxes"][0]
    actual = emulator_clean.graph("GET", f"users/{mailbox}/contacts", token=app_token).json()
    assert_keys_cover(fixture("contacts_list.json"), actual)


def test_presences_by_user_id(emulator_clean, app_token):
    ids = [u["id"] for u in emulator_clean.tenant["users"][:2]]
    actual = emulator_clean.graph("POST", "communications/getPresencesByUserId", token=app_token,
                                  json={"ids": ids}).json()
    assert_keys_cover(fixture("presences_by_user_id.json"), actual)


def test_organization(emulator_clean, app_token):
    org_id = emulator_clean.tenant_id
    actual = emulator_clean.graph("GET", f"organization/{org_id}", token=app_token).json()
    documented = fixture("organization_get.json")
    documented["assignedPlans"] = []  # the emulated tenant has no licences
    documented["provisionedPlans"] = []
    assert_keys_cover(documented, actual)
    listed = emulator_clean.graph("GET", "organization", token=app_token).json()
    assert listed["value"][0]["id"] == org_id


def test_application(emulator_clean, app_token):
    emu = emulator_clean
    actual = emu.graph("GET", f"applications(appId='{emu.client_id}')", token=app_token).json()
    assert_keys_cover(fixture("application_get.json"), actual)


def test_batch_and_errors(emulator_clean):
    emu = emulator_clean
    emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["GroupMember.Read.All"]})
    token = emu.app_token()
    reqs = [{"id": "3", "method": "GET", "url": "/groups"},
            {"id": "5", "method": "GET", "url": "users?$select=id,displayName,userPrincipalName&$count=true",
             "headers": {"ConsistencyLevel": "eventual"}}]
    actual = emu.graph("POST", "$batch", token=token, json={"requests": reqs}).json()
    documented = fixture("batch_response.json")
    for doc_item in documented["responses"]:
        ours = next(r for r in actual["responses"] if r["id"] == doc_item["id"])
        assert ours["status"] == doc_item["status"]
        assert_keys_cover({k: v for k, v in doc_item.items() if k != "headers"}, ours)
        assert {"Cache-Control", "Content-Type"} <= set(ours["headers"])
    denied = next(r for r in actual["responses"] if r["id"] == "3")["body"]
    assert denied["error"]["code"] == fixture("error_authorization_denied.json")["error"]["code"]
    assert denied["error"]["message"] == fixture("error_authorization_denied.json")["error"]["message"]


@pytest.mark.parametrize("name", ["error_advanced_query_required.json"])
def test_advanced_query_error(emulator_clean, app_token, name):
    actual = emulator_clean.graph("GET", "users?$filter=endswith(mail,'@contoso.example')", token=app_token).json()
    documented = fixture(name)
    assert_keys_cover(documented, actual)
    assert actual["error"]["message"] == documented["error"]["message"]


def test_select_names_only_known_properties_and_an_unknown_one_is_graphs_400(emulator_clean, app_token):
    emu = emulator_clean
    mailbox = emu.tenant["shared_mailboxes"][0]
    for path, code, type_name in ((f"users/{mailbox}/contacts", "RequestBroker--ParseUri", "contact"),
                                  (f"applications(appId='{emu.client_id}')", "Request_BadRequest", "application"),
                                  ("users", "Request_BadRequest", "user")):
        refused = emu.graph("GET", f"{path}?$select=displayName,shoeSize", token=app_token)
        assert refused.status_code == 400, path
        assert refused.json()["error"]["code"] == code, path
        assert f"'shoeSize' on type 'microsoft.graph.{type_name}'" in refused.json()["error"]["message"], path
        chosen = emu.graph("GET", f"{path}?$select=displayName", token=app_token).json()
        first = chosen["value"][0] if "value" in chosen else chosen
        assert set(first) - {"@odata.etag", "@odata.context"} == {"id", "displayName"}, path
