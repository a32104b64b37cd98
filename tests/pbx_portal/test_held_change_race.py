"""A save that arrives while a worker is deciding on the previous held change is never lost: the worker decides
under a row lock, so the newer change waits and then stays held (checked next), instead of being wiped when the
older change is saved. Collaboration's shared mailboxes and User Synchronization's filter work the same way."""

import threading
from unittest import mock

import pytest
from django.db import connection, connections
from django.http import QueryDict

from contacts.models import ContactSettings
from contacts.settings_check import contact_settings_check, contact_settings_request
from integrations.models import EntraConnection
from integrations.sync.users.models import UserSyncSettings
from integrations.sync.users.services import pending_change_run, user_sync_settings_for, user_sync_settings_save
from tests.helpers.factories import make_admin, make_organization
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)
RECEPTION = {"id": "5d7c1a2e-0000-4000-8000-000000000001", "name": "Reception", "address": "reception@contoso.com",
             "all_folders": True, "folders": []}
SALES = {**RECEPTION, "id": "5d7c1a2e-0000-4000-8000-000000000002", "name": "Sales desk"}


def contacts_form(mailbox):
    return {"personal_enabled": False, "shared_enabled": True, "shared_mailboxes": [mailbox]}


class SaveDuringDecision:
    """Runs `save` on another connection at the moment the worker has made its decision and is about to apply it,
    and lets the worker go on once that save is blocked on a lock or done."""

    def __init__(self, save):
        self.save, self.pid, self.thread = save, [], None

    def __call__(self, held):
        def other_request():
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self.pid.append(cursor.fetchone()[0])
                self.save()
            finally:
                connections.close_all()

        self.thread = threading.Thread(target=other_request)
        self.thread.start()
        wait_until(self.blocked_or_done, message="the other save to block on the worker's lock or finish")
        return None  # the actor: unknown

    def blocked_or_done(self):
        if not self.thread.is_alive():
            return True
        if not self.pid:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [self.pid[0]])
            row = cursor.fetchone()
        return bool(row) and row[0] == "Lock"


@pytest.fixture
def organization_connected():
    if connection.vendor == "sqlite":
        pytest.skip("needs a database server shared by two connections (CI runs it on PostgreSQL)")
    organization = make_organization("Race Ltd")
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com", client_id="c",
                                   client_secret="s", status=EntraConnection.Status.CONNECTED)
    return organization


def test_a_mailbox_choice_saved_while_the_worker_decides_stays_held(organization_connected):
    organization = organization_connected
    admin = make_admin(organization)
    with mock.patch("pbx_portal.jobs.enqueue"):
        contact_settings_request(organization=organization, actor=admin, cleaned_data=contacts_form(RECEPTION),
                                 form_data=QueryDict())
        newer = SaveDuringDecision(lambda: contact_settings_request(
            organization=organization, actor=admin, cleaned_data=contacts_form(SALES), form_data=QueryDict()))
        with mock.patch("contacts.settings_check.mailbox_refusal", return_value=None), \
                mock.patch("contacts.settings_check.held_actor", side_effect=newer), \
                mock.patch("integrations.sync.tasks.run_sync.delay"):
            assert contact_settings_check(organization)["status"] == "saved"
        newer.thread.join(60)
    held = ContactSettings.objects.get(organization=organization).pending_change
    assert held.get("status") == "pending" and held["checks"] == [SALES["id"]]  # the newer choice waits its turn


def test_a_filter_saved_while_the_worker_decides_stays_held(organization_connected):
    organization = organization_connected
    admin = make_admin(organization)
    settings = user_sync_settings_for(organization)
    values = {"enabled": False, "interval_minutes": 60, "scope": "filter", "include_guests": False,
              "disabled_accounts": "remove", "groups": [], "numbering": "auto", "range_start": 1000,
              "range_end": 8999, "reserved_numbers": "", "number_attribute": "businessPhones",
              "number_rule": "last_digits", "number_digits": 4, "removal_grace_days": 30, "threshold_percent": 10,
              "threshold_count": 50}
    with mock.patch("pbx_portal.jobs.enqueue"):
        user_sync_settings_save(organization=organization, actor=admin,
                                cleaned_data={**values, "custom_filter": "department eq 'Sales'"})
        newer = SaveDuringDecision(lambda: user_sync_settings_save(
            organization=organization, actor=admin, cleaned_data={**values, "custom_filter": "city eq 'Oslo'"}))
        verdict = {"status": "valid", "filter": "department eq 'Sales'"}
        with mock.patch("integrations.sync.users.pending._check_filter", return_value=(verdict, None)), \
                mock.patch("integrations.sync.users.pending.held_actor", side_effect=newer), \
                mock.patch("integrations.sync.users.pending.graph_client_for"):
            assert pending_change_run(organization)["status"] == "saved"
        newer.thread.join(60)
    settings = UserSyncSettings.objects.get(pk=settings.pk)
    assert settings.custom_filter == "department eq 'Sales'"
    assert settings.pending_change.get("status") == "pending"
    assert settings.pending_change["cleaned_data"]["custom_filter"] == "city eq 'Oslo'"
