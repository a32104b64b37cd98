"""pytest plugin: a session-scoped Entra/Graph emulator on a free port, and a per-test clean handle.

Register with `pytest_plugins = ["emulator.pytest_plugin"]` (or `-p emulator.pytest_plugin`).

    def test_x(emulator_clean):
        emu = emulator_clean                      # EmulatorHandle, state reset before the test
        emu.base_url, emu.ca_path, emu.tenant     # settings: MICROSOFT_AUTHORITY_HOST/GRAPH_URL/CA_BUNDLE
        emu.control("POST", "/_emulator/app/permissions", json={"revoke": ["User.Read.All"]})
        emu.request_counts()["by_route"]["GET /v1.0/users"]

Override the `emulator_options` fixture (session scope) to change users/groups/seed, or to start it with
`allow_http_notifications=True` (change notifications to http://127.0.0.1; reset keeps the start-up value).
"""

import json as jsonlib
import time

import pytest
import requests

from emulator.config import EmulatorConfig
from emulator.server import EmulatorServer


class EmulatorHandle:
    def __init__(self, server: EmulatorServer):
        self.server = server
        self.base_url: str = server.base_url
        self.ca_path: str = str(server.ca_path)
        self.data_dir = server.data_dir
        self.tenant: dict = jsonlib.loads((server.data_dir / "tenant.json").read_text())
        self.tenant_id: str = self.tenant["tenant_id"]
        self.client_id: str = self.tenant["app"]["client_id"]
        self.client_secret: str = self.tenant["app"]["client_secret"]
        self.authority: str = f"{self.base_url}/{self.tenant_id}"
        self.token_url: str = f"{self.authority}/oauth2/v2.0/token"
        self.graph_url: str = f"{self.base_url}/v1.0"
        self._http = requests.Session()

    @property
    def settings(self) -> dict:
        """The Django settings the product reads to reach this emulator."""
        return {"MICROSOFT_AUTHORITY_HOST": self.base_url, "MICROSOFT_GRAPH_URL": self.base_url,
                "MICROSOFT_CA_BUNDLE": self.ca_path}

    def control(self, method: str, path: str, json=None):
        """Call the control API (path like "/_emulator/state" or "state"); returns parsed JSON.
        Raises requests.HTTPError on a 4xx/5xx answer."""
        if not path.startswith("/"):
            path = "/_emulator/" + path
        resp = self._http.request(method, self.base_url + path, json=json, verify=self.ca_path, timeout=30)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def reset(self) -> dict:
        return self.control("POST", "/_emulator/reset")

    def request_counts(self) -> dict:
        return self.control("GET", "/_emulator/requests")

    def notification_settings(self, **changes) -> dict:
        """Change-notification settings (e.g. allow_http_notifications=True, validation_timeout=1); reset restores
        the start-up ones. Returns every setting."""
        if changes:
            return self.control("POST", "/_emulator/subscriptions/config", json=changes)
        return self.control("GET", "/_emulator/subscriptions/config")

    def deliveries(self, subscription_id: str | None = None) -> list[dict]:
        """Every notification POST the emulator made (or skipped), oldest first."""
        path = f"/_emulator/subscriptions/{subscription_id}/deliveries" if subscription_id else \
            "/_emulator/subscriptions/deliveries"
        return self.control("GET", path)["deliveries"]

    def app_token(self, scope: str = "https://graph.microsoft.com/.default") -> str:
        """An app-only Graph token via a plain client_credentials POST (tests of Graph endpoints)."""
        resp = self._http.post(self.token_url, data={"grant_type": "client_credentials", "client_id": self.client_id,
                                                     "client_secret": self.client_secret, "scope": scope},
                               verify=self.ca_path, timeout=30)
        resp.raise_for_status()
        return resp.json()["access_token"]

    def graph(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        """A Graph call (path relative to /v1.0, or an absolute nextLink) with an app token."""
        url = path if path.startswith("https://") else f"{self.graph_url}/{path.lstrip('/')}"
        headers = {"Authorization": f"Bearer {token or self.app_token()}", **kwargs.pop("headers", {})}
        return self._http.request(method, url, headers=headers, verify=self.ca_path, timeout=30, **kwargs)

    def close(self) -> None:
        self._http.close()


def start_emulator(data_dir, **options) -> EmulatorServer:
    """Start an in-process emulator (background threads) and wait until it answers."""
    server = EmulatorServer(EmulatorConfig(data_dir=data_dir, **options)).start()
    deadline = time.monotonic() + 15
    while True:
        try:
            requests.get(f"{server.base_url}/_emulator/state", verify=str(server.ca_path), timeout=2)
            return server
        except requests.RequestException:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.05)


@pytest.fixture(scope="session")
def emulator_options() -> dict:
    """Override in a conftest.py to change the directory size or seed."""
    return {"users": 250, "groups": 5, "seed": 1, "shared_contacts": 30}


@pytest.fixture(scope="session")
def emulator(tmp_path_factory, emulator_options):
    server = start_emulator(tmp_path_factory.mktemp("entra-emulator"), **emulator_options)
    handle = EmulatorHandle(server)
    try:
        yield handle
    finally:
        handle.close()
        server.stop()


@pytest.fixture
def emulator_clean(emulator):
    emulator.reset()
    return emulator
