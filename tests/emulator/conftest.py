"""Fixtures for the emulator's own tests. The `emulator`/`emulator_clean` fixtures come from
emulator.pytest_plugin (registered by tests/conftest.py, or here if it is not)."""

import msal
import pytest

from tests.helpers.emulator import TrustingSession


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("emulator.pytest_plugin"):
        config.pluginmanager.import_plugin("emulator.pytest_plugin")


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


@pytest.fixture
def notify_emu(emulator_clean):
    """The emulator, reset, allowing http://127.0.0.1 notification URLs and retrying quickly (tests stay short)."""
    emulator_clean.notification_settings(allow_http_notifications=True, retry_initial=0.2, retry_factor=2.0,
                                         retry_max_delay=2.0)
    return emulator_clean
