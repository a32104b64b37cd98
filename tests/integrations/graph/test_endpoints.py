"""The typed endpoint functions (users, groups, organization, applications, contacts, presence) read Microsoft's
documented sample payloads (tests/fixtures/graph/) into records, and name the permission a refusal needs."""


import pytest
import responses

from integrations.graph import (
    AppCredentials,
    GraphClient,
    GraphEndpoints,
    PermissionDenied,
    groups,
    organization,
    presence,
    users,
)
from integrations.graph.applications import app_registration_from
from integrations.graph.contacts import GraphContact, MailboxAnswer, RemovedContact
from tests.helpers.graph_mock import mock_entra
from tests.helpers.graph_payloads import CLIENT, SECRET, TENANT
from tests.helpers.graph_payloads import load as sample

GRAPH = "https://graph.microsoft.com/v1.0"



@pytest.fixture
def client():
    endpoints = GraphEndpoints()
    with responses.RequestsMock() as rsps:
        mock_entra(rsps, endpoints, TENANT, roles=["User.Read.All"])
        yield GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), endpoints, sleep=lambda s: None), rsps


def test_user_pages_are_typed_users(client):
    graph, rsps = client
    rsps.get(f"{GRAPH}/users", json=sample("users_list.json"))
    page = next(users.user_pages(graph))
    assert page and all(isinstance(user, users.GraphUser) for user in page)
    first = sample("users_list.json")["value"][0]
    assert page[0].id == first["id"].lower() and page[0].display_name == first["displayName"]
    assert page[0].business_phones == tuple(first.get("businessPhones") or ())


def test_a_delta_page_separates_changed_users_from_removed_ones(client):
    graph, rsps = client
    body = sample("users_delta.json")
    body.pop("@odata.nextLink", None)
    body["@odata.deltaLink"] = f"{GRAPH}/users/delta?$deltatoken=abc"
    body["value"] += [{"id": "AAAA", "@removed": {"reason": "changed"}},
                      {"id": "BBBB", "@removed": {"reason": "deleted"}}]
    rsps.get(f"{GRAPH}/users/delta", json=body)
    [changes] = list(users.delta_pages(graph, f"{GRAPH}/users/delta?$deltatoken=old"))
    assert changes.removed == [users.RemovedUser("aaaa", permanently=False), users.RemovedUser("bbbb", True)]
    assert len(changes.users) == len(body["value"]) - 2 and changes.delta_link.endswith("deltatoken=abc")


def test_attribute_numbers_come_from_the_named_source():
    user = users.GraphUser.from_graph({
        "id": "X", "businessPhones": ["+1 425 555 0101", "+1 425 555 0199"], "mobilePhone": " 0170 1234 ",
        "employeeId": "E-77",
        "onPremisesExtensionAttributes": {"extensionAttribute3": "4242", "extensionAttribute4": None}})
    assert user.number_source("businessPhones") == "+1 425 555 0101"
    assert user.number_source("mobilePhone") == "0170 1234"
    assert (user.number_source("employeeId"), user.number_source("extensionAttribute3")) == ("E-77", "4242")
    assert user.number_source("extensionAttribute4") == "" and set(users.NUMBER_SOURCES) >= {"extensionAttribute15"}


def test_a_refusal_names_the_permission_it_needs(client):
    graph, rsps = client
    rsps.get(f"{GRAPH}/groups", status=403, json=sample("error_authorization_denied.json"))
    with pytest.raises(PermissionDenied) as refused:
        list(groups.all_groups(graph))
    assert (refused.value.permission, refused.value.action) == ("GroupMember.Read.All", "Reading groups")


def test_tenant_and_app_registration_records():
    body = sample("organization_get.json")
    domains = organization.verified_domains_of(body)
    assert domains and domains == sorted({d["name"].lower() for d in body["verifiedDomains"]})
    app = app_registration_from(sample("application_get.json"))
    assert app.display_name == "Display name" and isinstance(app.redirect_uris, list)


def test_contacts_and_removals_in_graphs_order():
    contacts = [{"id": f"c{i}", **item} for i, item in enumerate(sample("contacts_list.json")["value"])]
    answer = MailboxAnswer(200, {"value": [*contacts, {"id": "gone", "@removed": {"reason": "deleted"}}]})
    changes = answer.contact_changes()
    assert [type(c) for c in changes] == [GraphContact] * len(contacts) + [RemovedContact]
    assert changes[0].display_name == " ".join(str(contacts[0].get("displayName") or "").split())


def test_presences_are_typed(client):
    graph, rsps = client
    rsps.post(f"{GRAPH}/communications/getPresencesByUserId", json=sample("presences_by_user_id.json"))
    found = presence.presences_by_user_id(graph, ["a", "b"])
    assert found and all(isinstance(p, presence.Presence) for p in found.values())
