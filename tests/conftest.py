import pytest
from django.core.cache import cache

from integrations.graph import clear_clients
from tests.helpers.factories import make_admin, make_extension, make_organization

pytest_plugins = ["emulator.pytest_plugin", "tests.helpers.browser", "tests.helpers.background"]


@pytest.fixture
def organization(db):
    return make_organization("Contoso Ltd")


@pytest.fixture
def other_organization(db):
    return make_organization("Fabrikam Inc")


@pytest.fixture
def admin_user(organization):
    return make_admin(organization, "contoso-admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def extension_factory(organization):
    def factory(org=None, **fields):
        return make_extension(org or organization, **fields)

    return factory


@pytest.fixture
def celery_eager():
    """Queued Celery tasks run in-process, at .delay() time (pair with django_capture_on_commit_callbacks)."""
    from pbx_portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def emu(emulator_clean, settings):
    """The emulator, reset, with the product's Microsoft endpoint settings pointing at it."""
    for name, value in emulator_clean.settings.items():
        setattr(settings, name, value)
    clear_clients()
    yield emulator_clean
    clear_clients()


@pytest.fixture
def hook():
    """A local subscriber endpoint (http://127.0.0.1) for change-notification tests."""
    from tests.helpers.webhook_receiver import WebhookReceiver

    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def fresh_cache():
    """An empty cache (rate-limit counters) before and after the test: pytest.mark.usefixtures("fresh_cache")."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fresh_graph_clients(fresh_cache):
    """No cached Graph client (nor cache entry) before and after the test: tests that mock Microsoft with `responses`
    get clients of their own, with empty token caches."""
    clear_clients()
    yield
    clear_clients()
