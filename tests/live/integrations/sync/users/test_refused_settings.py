"""A refused setting is never saved: Microsoft Graph checks a custom filter or the chosen groups in a worker, and
until it accepts them the previous settings stay in effect for every run; a refusal is the form's error."""

import uuid

import pytest
from django.utils import timezone

from integrations.sync.users.models import DirectoryGroup, UserSyncSettings
from organizations.models import AuditEntry
from tests.helpers.user_sync import active_synced, directory_users, settings_form

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
PAGE = "/integrations/entra/user-sync/"
GOOD_FILTER = "department eq 'Sales'"
REFUSED_FILTER = "department eq 'Sales' and"


@pytest.fixture
def save(admin_client, connection, celery_eager, django_capture_on_commit_callbacks):
    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(PAGE, settings_form(**overrides))
    return post


def test_an_accepted_filter_is_saved_after_graph_checked_it(emu, save, organization):
    save(scope="filter", custom_filter=GOOD_FILTER)
    settings = UserSyncSettings.objects.get(organization=organization)
    assert (settings.scope, settings.custom_filter) == ("filter", GOOD_FILTER)
    assert settings.filter_check["status"] == "valid" and settings.pending_change == {}


def test_a_refused_filter_is_never_saved_and_the_previous_one_stays_in_effect(emu, save, sync, organization,
                                                                             admin_client):
    save(scope="filter", custom_filter=GOOD_FILTER)
    audits = AuditEntry.objects.filter(action="entra.user_sync_changed").count()
    save(scope="filter", custom_filter=REFUSED_FILTER, interval_minutes="7")
    settings = UserSyncSettings.objects.get(organization=organization)
    assert settings.custom_filter == GOOD_FILTER and settings.filter_check["filter"] == GOOD_FILTER
    assert organization.sync_schedules.get(kind="users").interval_seconds == 300  # nothing of the form was saved
    assert AuditEntry.objects.filter(action="entra.user_sync_changed").count() == audits
    assert settings.pending_change["status"] == "refused"
    body = admin_client.get(PAGE).content.decode()
    assert "Microsoft Graph refused the filter: Invalid filter clause" in body
    assert "settings saved" not in body.lower()
    assert REFUSED_FILTER.replace("'", "&#x27;") in body  # the typed filter is kept for editing
    run = sync()  # the next run uses the previous filter
    assert run.status == "succeeded", run.error
    sales = {u["id"] for u in directory_users(emu) if u["department"] == "Sales" and u["accountEnabled"]}
    assert set(active_synced(organization)) == sales


def test_a_refusal_is_replaced_by_the_next_save(emu, save, organization, admin_client):
    save(scope="filter", custom_filter=REFUSED_FILTER)
    assert UserSyncSettings.objects.get(organization=organization).pending_change["status"] == "refused"
    save(scope="filter", custom_filter=GOOD_FILTER)
    settings = UserSyncSettings.objects.get(organization=organization)
    assert settings.custom_filter == GOOD_FILTER and settings.pending_change == {}
    assert "refused" not in admin_client.get(PAGE).content.decode()


def test_a_group_that_no_longer_exists_is_refused(emu, save, organization, admin_client):
    gone = str(uuid.uuid4())  # still in the picker's cache, deleted in Entra since
    DirectoryGroup.objects.create(organization=organization, entra_id=gone, name="Gone Team",
                                  refreshed_at=timezone.now())
    save(scope="groups", group_ids=[gone])
    settings = UserSyncSettings.objects.get(organization=organization)
    assert settings.scope == "all" and settings.groups == []
    assert settings.pending_change["status"] == "refused"
    assert "“Gone Team” no longer exists" in admin_client.get(PAGE).content.decode()


def test_discarding_a_refused_change_shows_the_saved_settings(emu, save, organization, admin_client):
    save(scope="filter", custom_filter=REFUSED_FILTER)
    admin_client.post(PAGE + "pending/discard/")
    assert UserSyncSettings.objects.get(organization=organization).pending_change == {}
    assert REFUSED_FILTER.replace("'", "&#x27;") not in admin_client.get(PAGE).content.decode()
