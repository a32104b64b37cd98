"""Fixtures for the emulator's own tests. The `emulator`/`emulator_clean` fixtures come from
emulator.pytest_plugin (registered by tests/conftest.py, or here if it is not)."""

import msal
import pytest
import requests


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("emulator.pytest_plugin"):
        config.pluginmanager.import_plugin("emulator.pytest_plugin")


class TrustingSession(requests.Session):
    """REQUESTS_CA_BUNDLE overrides Session.verify, so pass verify= on every request."""

    def __init__(self, ca_path: str):
        super().__init__()
        self.ca_path = ca_path

    def request(self, *args, **kwargs):
        kwargs["verify"] = self.ca_path
        return super().request(*args, **kwargs)


@pytest.fixture
def http(emulator):
    with TrustingSession(emulator.ca_path) as session:
        yield session


@pytest.fixture
def make_msal_app(emulator):
    """Factory: a ConfidentialClientApplication pointed at the emulator (no instance discovery)."""
    sessions = []

    def make(credential=None, client_id=None, authority=None, **kwargs):
        session = TrustingSession(emulator.ca_path)
        sessions.append(session)
        return msal.ConfidentialClientApplication(
            client_id or emulator.client_id, client_credential=credential or emulator.client_secret,
            authority=authority or emulator.authority, http_client=session,
            instance_discovery=kwargs.pop("instance_discovery", False), **kwargs)

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def app_token(emulator_clean):
    return emulator_clean.app_token()


def all_pages(emulator, first_url: str, token: str, headers=None) -> tuple[list[dict], int, dict]:
    """Follow @odata.nextLink; returns (items, pages, last body)."""
    items, pages, url = [], 0, first_url
    while url:
        resp = emulator.graph("GET", url, token=token, headers=headers or {})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        items.extend(body["value"])
        pages += 1
        url = body.get("@odata.nextLink")
    return items, pages, body
