"""A synced extension's detail page: Entra fields, number history, groups, presence, last sync and a link to this
user's entries in the sync log; another organization's extension is a 404."""

import uuid

import pytest
from django.urls import reverse

from extensions.models import Extension, ExtensionGroup
from integrations.sync.models import SyncEvent, SyncKind, SyncRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(extension_factory, organization):
    extension = extension_factory(number="1200", source=Extension.Source.ENTRA, entra_object_id=uuid.uuid4(),
                                  entra_upn="ada@contoso.example", job_title="Engineer")
    ExtensionGroup.objects.create(organization=organization, name="Sales").members.add(extension)
    subject = str(extension.entra_object_id)
    for number, action in (("1100", SyncEvent.Action.CREATED), ("1200", SyncEvent.Action.UPDATED)):
        run = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.MANUAL,
                                     status=SyncRun.Status.SUCCEEDED)
        SyncEvent.objects.create(run=run, organization=organization, action=action, subject_id=subject,
                                 subject="Ada", number=number, after={"number": number})
    return extension


def test_the_detail_page_shows_entra_fields_numbers_groups_and_the_log_link(admin_client, synced):
    html = admin_client.get(reverse("extensions:detail", args=[synced.pk])).content.decode()
    assert "ada@contoso.example" in html and str(synced.entra_object_id) in html
    history = html[html.index('class="number-history"'):]
    assert history.index(">1100<") < history.index(">1200<")
    assert '<span class="badge">Sales</span>' in html
    assert f'{reverse("sync:log")}?user={synced.entra_object_id}' in html
    assert 'id="events-title"' in html and html.count('class="event-') == 2


def test_the_list_links_each_extension_to_its_page(admin_client, synced):
    html = admin_client.get(reverse("extensions:list")).content.decode()
    assert reverse("extensions:detail", args=[synced.pk]) in html


def test_another_organizations_extension_is_not_found(admin_client, other_organization):
    from tests.helpers.factories import make_extension

    theirs = make_extension(other_organization)
    assert admin_client.get(reverse("extensions:detail", args=[theirs.pk])).status_code == 404


def test_a_manual_extension_has_a_page_too(admin_client, extension_factory):
    manual = extension_factory(display_name="Front desk")
    response = admin_client.get(reverse("extensions:detail", args=[manual.pk]))
    assert response.status_code == 200 and "Front desk" in response.content.decode()
