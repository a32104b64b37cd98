"""Microsoft's own Python Graph SDK (msgraph-sdk + azure-identity), unchanged, against the emulator.

The SDK talks httpx; the emulator's CA is trusted through the client's own `verify=` SSL context (no environment
variables). Its base URL is an httpx base URL, so the SDK sends `/v1.0//users` and `/users/delta()`, as it does
against Graph.
"""

import asyncio
import concurrent.futures
import ssl

import httpx
import pytest
from azure.identity import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.users.delta.delta_request_builder import DeltaRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_core import GraphClientFactory

SCOPES = ["https://graph.microsoft.com/.default"]


def run(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API may already run a loop in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=120)


@pytest.fixture
def sdk(emulator_clean):
    """(GraphServiceClient, credential) wired to the emulator: authority, CA and base URL."""
    emu = emulator_clean
    credential = ClientSecretCredential(emu.tenant_id, emu.client_id, emu.client_secret, authority=emu.base_url,
                                        connection_verify=emu.ca_path, disable_instance_discovery=True)
    auth = AzureIdentityAuthenticationProvider(credential, scopes=SCOPES, allowed_hosts=["127.0.0.1"])
    http = httpx.AsyncClient(base_url=f"{emu.base_url}/v1.0/", verify=ssl.create_default_context(cafile=emu.ca_path))
    adapter = GraphRequestAdapter(auth, client=GraphClientFactory.create_with_default_middleware(client=http))
    yield GraphServiceClient(request_adapter=adapter)
    credential.close()


def test_sdk_pages_through_users(emulator_clean, sdk):
    emu = emulator_clean
    expected = emu.control("GET", "/_emulator/state")["users"]
    emu.control("DELETE", "/_emulator/requests")

    async def read_all():
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            select=["id", "displayName", "userPrincipalName", "accountEnabled"], top=100)
        page = await sdk.users.get(request_configuration=RequestConfiguration(query_parameters=query))
        users, pages = list(page.value), 1
        while page.odata_next_link:
            page = await sdk.users.with_url(page.odata_next_link).get()
            users.extend(page.value)
            pages += 1
        return users, pages

    users, pages = run(read_all())
    assert len(users) == len({u.id for u in users}) == expected
    assert pages == -(-expected // 100) >= 3
    assert all(u.user_principal_name and u.account_enabled is not None for u in users)
    assert emu.request_counts()["by_route"]["GET /v1.0/users"] == pages


def test_sdk_delta_round_then_a_change_shows_up(emulator_clean, sdk):
    emu = emulator_clean
    emu.control("DELETE", "/_emulator/requests")

    async def round_(delta_link=None):
        if delta_link:
            page = await sdk.users.delta.with_url(delta_link).get()
        else:
            query = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(select=["id", "displayName", "jobTitle"])
            page = await sdk.users.delta.get(request_configuration=RequestConfiguration(query_parameters=query))
        items, pages = list(page.value), 1
        while page.odata_next_link:
            page = await sdk.users.delta.with_url(page.odata_next_link).get()
            items.extend(page.value)
            pages += 1
        return items, pages, page.odata_delta_link

    async def scenario():
        first = await round_()
        items = first[0]
        emu.control("PATCH", f"/_emulator/users/{items[7].id}", json={"jobTitle": "Head of Telephony"})
        emu.control("POST", f"/_emulator/users/{items[8].id}/soft-delete")
        return first, await round_(first[2])

    (items, pages, delta_link), (changes, _, next_link) = run(scenario())
    expected = emu.control("GET", "/_emulator/state")["users"] + 1  # one was soft-deleted after the first round
    assert len({u.id for u in items}) == expected and pages == -(-expected // 100)
    assert delta_link
    target, removed = items[7].id, items[8].id
    by_id = {u.id: u for u in changes}
    assert set(by_id) == {target, removed}
    assert by_id[target].job_title == "Head of Telephony"
    assert by_id[removed].additional_data.get("@removed") == {"reason": "changed"}
    assert next_link and next_link != delta_link
    assert emu.request_counts()["by_route"]["GET /v1.0/users/delta"] == pages + 1
