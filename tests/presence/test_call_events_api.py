"""POST /api/pbx/calls/events: API key, validation, idempotency, isolation; Graph is never called in the request."""

import json
from unittest import mock

import pytest

from integrations.models import EntraConnection
from organizations.services import api_key_create
from presence.models import PbxCall
from tests.helpers.factories import make_extension

pytestmark = pytest.mark.django_db
URL = "/api/pbx/calls/events"


@pytest.fixture
def key(organization):
    return api_key_create(organization=organization, name="PBX", actor=None)[1]


@pytest.fixture
def extension(organization):
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.example", client_id="c" * 36,
                                   client_secret="s", feature_presence=True, feature_presence_writeback=True)
    return make_extension(organization, number="1001", source="entra",
                          entra_object_id="11111111-1111-4111-8111-111111111111")


def post(client, key, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}", **extra)


@pytest.fixture
def queued():
    with mock.patch("presence.tasks.reconcile_call_presence.delay") as delay:
        yield delay


def test_started_then_ended_queue_one_reconcile_each(client, key, extension, queued,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, key, {"extension": "1001", "event": "started", "call_id": "c1"})
    assert response.status_code == 202
    assert response.json() == {"extension": "1001", "call_id": "c1", "event": "started", "duplicate": False,
                               "active_calls": 1}
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, key, {"extension": "1001", "event": "started", "call_id": "c1"}).json()["duplicate"]
        assert post(client, key, {"extension": 1001, "event": "ended", "call_id": "c1"}).json()["active_calls"] == 0
        assert post(client, key, {"extension": "1001", "event": "ended", "call_id": "c1"}).json()["duplicate"]
    assert [c.args for c in queued.call_args_list] == [(extension.pk,), (extension.pk,)]
    assert PbxCall.objects.get().ended_at is not None


def test_ended_before_started_is_remembered(client, key, extension, queued):
    post(client, key, {"extension": "1001", "event": "ended", "call_id": "late"})
    response = post(client, key, {"extension": "1001", "event": "started", "call_id": "late"})
    assert response.json()["duplicate"] is True and response.json()["active_calls"] == 0


def test_no_reconcile_when_writeback_is_off(client, key, extension, queued, django_capture_on_commit_callbacks):
    EntraConnection.objects.update(feature_presence_writeback=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, key, {"extension": "1001", "event": "started", "call_id": "c1"}).status_code == 202
    queued.assert_not_called()


@pytest.mark.parametrize(("body", "message"), [
    ("not json", "must be JSON"),
    ([1, 2], "JSON object"),
    ({"event": "started", "call_id": "c"}, '"extension"'),
    ({"extension": "1001", "event": "ringing", "call_id": "c"}, '"event"'),
    ({"extension": "1001", "event": "started"}, '"call_id"'),
    ({"extension": "1001", "event": "started", "call_id": "x" * 129}, '"call_id"'),
    ({"extension": "1001", "event": "started", "call_id": True}, '"call_id"'),
])
def test_bad_body_is_400_and_changes_nothing(client, key, extension, queued, body, message):
    response = post(client, key, body)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert not PbxCall.objects.exists()


def test_unknown_extension_is_404(client, key, extension, queued):
    response = post(client, key, {"extension": "9999", "event": "started", "call_id": "c1"})
    assert response.status_code == 404 and "9999" in response.json()["message"]


def test_key_of_another_organization_never_reaches_this_one(client, extension, other_organization, queued):
    make_extension(other_organization, number="1002")
    _, foreign_key = api_key_create(organization=other_organization, name="PBX", actor=None)
    response = post(client, foreign_key, {"extension": "1001", "event": "started", "call_id": "c1"})
    assert response.status_code == 404
    assert not PbxCall.objects.filter(extension=extension).exists()


def test_without_key_is_401_and_get_is_405(client, extension, key):
    assert client.post(URL, data="{}", content_type="application/json").status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 405
