"""Which organizations the upkeep beat task hands to subscriptions_maintain (set-based, no Graph call)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.realtime.maintenance import maintenance_due, organizations_needing_upkeep
from integrations.sync.realtime.models import RealtimeSwitch, Subscription
from tests.helpers.factories import make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def https(settings):
    settings.GRAPH_NOTIFICATION_URL = "https://pbx.example.com"


def connected(name, **features):
    organization = make_organization(name)
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com", client_id="c",
                                   client_secret="s", **features)
    return organization


def subscribed(organization, *, kind="users", resource="users", days=20, status="active"):
    return Subscription.objects.create(organization=organization, kind=kind, resource=resource, status=status,
                                       graph_id=resource, expires_at=timezone.now() + timedelta(days=days))


def test_renewal_is_due_at_half_the_lifetime_and_failing_ones_are_retried():
    fresh = connected("Fresh", feature_user_sync=True)
    subscribed(fresh, days=20)
    aging = connected("Aging", feature_user_sync=True)
    subscribed(aging, days=10)  # under half of 29 days left
    failing = connected("Failing", feature_user_sync=True)
    subscribed(failing, status="failing")
    contacts = connected("Contacts", feature_contacts=True)
    subscribed(contacts, kind="contacts", resource="users/a/contacts", days=1)  # under half of ~3 days
    assert organizations_needing_upkeep() == {aging.pk, failing.pk, contacts.pk}


def test_a_switched_on_kind_without_a_subscription_is_due_unless_the_admin_switched_it_off():
    new = connected("New", feature_user_sync=True)
    refused = connected("Refused", feature_user_sync=True)
    RealtimeSwitch.objects.create(organization=refused, kind="users", enabled=False)
    connected("Off", feature_user_sync=False)
    connected("Paused", feature_user_sync=True, syncs_paused=True)
    assert organizations_needing_upkeep() == {new.pk}


def test_without_https_only_existing_subscriptions_are_looked_after(settings):
    settings.GRAPH_NOTIFICATION_URL = "http://localhost:8000"
    connected("New", feature_user_sync=True)
    failing = connected("Failing", feature_user_sync=True)
    subscribed(failing, status="failing")
    assert organizations_needing_upkeep() == {failing.pk}


def test_the_beat_task_queues_one_upkeep_task_per_organization(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("integrations.sync.realtime.tasks.maintain.apply_async",
                        lambda args, **options: sent.append(args))
    organizations = [connected(f"New {i}", feature_user_sync=True) for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        assert maintenance_due() == 3
    assert sorted(sent) == sorted((o.pk,) for o in organizations)
