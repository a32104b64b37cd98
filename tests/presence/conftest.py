"""Presence tests that watch Graph requests with `responses`: Entra mocked, an app token with presence roles."""

import pytest
import responses

from integrations.graph import AppCredentials, GraphClient, GraphEndpoints
from tests.helpers.graph_mock import mock_entra
from tests.helpers.graph_payloads import CLIENT, INSTANCE_DISCOVERY, SECRET, TENANT, load


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock_entra(mock, GraphEndpoints(), TENANT, CLIENT, roles=["Presence.ReadWrite.All"])
        mock.add("GET", INSTANCE_DISCOVERY, json=load("instance_discovery.json"))
        yield mock


@pytest.fixture
def graph_client(rsps):
    """The product's Graph client against the mocked Graph (retry waits are not slept)."""
    return GraphClient(AppCredentials(TENANT, CLIENT, client_secret=SECRET), GraphEndpoints(), sleep=lambda s: None)
