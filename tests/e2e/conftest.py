# Browser fixtures (browser, page, sign_in) come from tests/helpers/browser.py, registered in tests/conftest.py.

import pytest


@pytest.fixture
def emu(emu, settings, live_server):
    """Browser tests: the portal's public URL is the live server, and its UC Client callback is registered in the
    emulated app (so "Sign in with Microsoft" can come back)."""
    settings.PUBLIC_BASE_URL = live_server.url
    emu.control("POST", "/_emulator/app/redirect-uris", json={"uri": f"{live_server.url}/sso/uc/microsoft/callback/"})
    return emu


@pytest.fixture
def connected(emu, organization):
    """The organization connected to the emulator's tenant (Test Connection passed)."""
    from integrations.models import EntraConnection

    return EntraConnection.objects.create(
        organization=organization, tenant_id=emu.tenant_id, client_id=emu.client_id,
        client_secret=emu.client_secret, status=EntraConnection.Status.CONNECTED)


@pytest.fixture
def uc_page(browser):
    context = browser.new_context(ignore_https_errors=True)  # the emulator's private CA
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
