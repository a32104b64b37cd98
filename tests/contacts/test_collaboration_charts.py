"""The Collaboration page's charts: contacts per mailbox (failed mailboxes marked and always shown), users per
presence state now and presence changes per hour, each with its numbers as a table."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.charts import TOP_MAILBOXES, contacts_per_mailbox_chart
from contacts.models import MailboxSyncState
from integrations.sync.models import SyncKind, SyncRun
from presence.charts import presence_changes_chart, presence_state_chart
from presence.models import ExtensionPresence
from tests.helpers.presence import presence_read

pytestmark = pytest.mark.django_db


def mailbox(organization, n, *, contacts, status=MailboxSyncState.Status.OK):
    return MailboxSyncState.objects.create(organization=organization, kind=MailboxSyncState.Kind.SHARED,
                                           mailbox_id=f"mb-{n}", display_name=f"Mailbox {n}", contact_count=contacts,
                                           status=status, last_error="403 Access denied" if status != "ok" else "")


def test_contacts_per_mailbox_shows_the_largest_and_every_failure(organization, other_organization):
    for n in range(TOP_MAILBOXES + 5):
        mailbox(organization, n, contacts=n * 10)
    mailbox(organization, 99, contacts=0, status=MailboxSyncState.Status.DENIED)
    mailbox(other_organization, 1, contacts=10_000)
    chart = contacts_per_mailbox_chart(organization=organization)
    assert (chart["mailboxes"], chart["failed"], chart["shown"]) == (TOP_MAILBOXES + 6, 1, TOP_MAILBOXES + 1)
    assert chart["rows"][0].label == f"Mailbox {TOP_MAILBOXES + 4}" and chart["rows"][0].width == 100 * 160 / 200
    assert chart["rows"][-1].failed and chart["rows"][-1].detail == "Access denied: 403 Access denied"


def test_presence_states_now_and_changes_per_hour(organization, extension_factory):
    presence_read(organization)
    for state in ("available", "available", "busy"):
        ExtensionPresence.objects.create(extension=extension_factory(), organization=organization, pbx_state=state)
    ExtensionPresence.objects.create(extension=extension_factory(status="disabled"), organization=organization,
                                     pbx_state="busy")
    states = {row.css: row.value for row in presence_state_chart(organization=organization)["rows"]}
    assert states["available"] == 2 and states["busy"] == 1 and states["offline"] == 0
    now = timezone.now()
    for minutes, changed in ((10, 3), (20, 2), (130, 5)):
        run = SyncRun.objects.create(organization=organization, kind=SyncKind.PRESENCE, status="succeeded",
                                     trigger="schedule", counts={"changed": changed},
                                     started_at=now - timedelta(minutes=minutes),
                                     finished_at=now - timedelta(minutes=minutes))
        SyncRun.objects.filter(pk=run.pk).update(created_at=now - timedelta(minutes=minutes))
    changes = presence_changes_chart(organization=organization)
    assert len(changes.chart.bars) == 24 and changes.changes == 10
    assert changes.chart.bars[-1].value == 5 and changes.chart.bars[-3].value == 5


def test_the_collaboration_page_draws_the_charts_with_their_numbers(admin_client, organization):
    mailbox(organization, 1, contacts=42)
    html = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert 'id="contacts-chart"' in html and 'id="presence-state-chart"' in html
    assert 'id="presence-changes-chart"' in html
    assert '<td class="num">42</td>' in html


def test_a_switched_off_kind_is_not_counted_as_failing_and_more_failures_than_shown_are_said(
        admin_client, organization):
    from contacts.models import ContactSettings
    from integrations.models import EntraConnection
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com", client_id="c",
                                   client_secret="s", feature_contacts=True)
    ContactSettings.objects.update_or_create(organization=organization,
                                             defaults={"personal_enabled": True, "shared_enabled": False})
    for n in range(TOP_MAILBOXES + 3):  # shared mailboxes, switched off: not read, so not failing
        mailbox(organization, n, contacts=5, status=MailboxSyncState.Status.DENIED)
    for n in range(TOP_MAILBOXES + 2):
        MailboxSyncState.objects.create(organization=organization, kind=MailboxSyncState.Kind.PERSONAL,
                                        mailbox_id=f"user-{n}", display_name=f"User {n}",
                                        status=MailboxSyncState.Status.ERROR, last_error="500")
    html = admin_client.get(reverse("integrations:collaboration")).content.decode()
    caption = html[html.index('id="contacts-chart-caption"'):html.index("</figcaption>", html.index(
        'id="contacts-chart-caption"'))]
    assert f"{2 * TOP_MAILBOXES + 5} mailboxes, {TOP_MAILBOXES + 2} failed" in caption
    assert f"the first {TOP_MAILBOXES} failed shown" in caption and "every failed one" not in caption
    status = admin_client.get(reverse("contacts:mailboxes")).content.decode()
    assert status.count("Switched off</span>") == TOP_MAILBOXES + 3  # the status page agrees


def test_the_presence_caption_says_its_polls_are_the_logged_ones(admin_client, organization):
    SyncRun.objects.create(organization=organization, kind=SyncKind.PRESENCE, status="succeeded",
                           trigger="schedule", counts={"changed": 2}, started_at=timezone.now(),
                           finished_at=timezone.now())
    html = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert "2 changes in 1 logged poll (scheduled polls that change nothing are not logged)" in html


@pytest.mark.parametrize("count", [3, 205])
def test_the_mailbox_pages_say_how_many_they_list_and_cost_the_same_queries(
        admin_client, organization, other_organization, django_assert_max_num_queries, count):
    MailboxSyncState.objects.bulk_create([
        MailboxSyncState(organization=organization, kind=MailboxSyncState.Kind.SHARED, mailbox_id=f"mb-{n}",
                         display_name=f"Mailbox {n}", contact_count=2) for n in range(count)])
    mailbox(other_organization, 1, contacts=10_000)  # another organization's mailbox counts nowhere here
    with django_assert_max_num_queries(10):  # the page's count is one query, at any size
        status = admin_client.get(reverse("contacts:mailboxes")).content.decode()
    assert f"{count} mailboxes, {2 * count} contacts." in status
    assert ("Listed: 1 to 200 of 205." in status) == (count > 200)
    assert status.count("<tr data-mailbox=") == min(count, 200)
    if count > 200:  # mailbox 201 onwards is on the next page, not out of reach
        with django_assert_max_num_queries(10):
            rest = admin_client.get(reverse("contacts:mailboxes"), {"page": 2}).content.decode()
        assert "Listed: 201 to 205 of 205." in rest and rest.count("<tr data-mailbox=") == 5
        listed = set(re.findall(r'data-mailbox="(mb-\d+)"', status)) | set(re.findall(r'data-mailbox="(mb-\d+)"', rest))
        assert listed == {f"mb-{n}" for n in range(count)} and "Page 2 of 2" in rest  # each one, once
    with django_assert_max_num_queries(26):
        collaboration = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert f"{count} mailboxes ·\n    {2 * count} contacts" in collaboration


@pytest.mark.parametrize("switch", ["off", "pbx_to_teams"])
def test_presence_that_is_not_read_is_not_shown_as_now(admin_client, organization, extension_factory, switch):
    """States seen before presence synchronization was switched off (or turned to PBX to Teams only) are the last
    ones seen, not the current ones: the chart, the Extensions list and the UC directory do not show them."""
    from contacts.selectors import DirectoryEntry, DirectoryPage, directory_presence_attach
    from integrations.models import EntraConnection
    from presence.models import PresenceSettings
    presence_read(organization, direction=PresenceSettings.Direction.PBX_TO_TEAMS if switch != "off" else "both")
    if switch == "off":
        EntraConnection.objects.filter(organization=organization).update(feature_presence=False)
    ext = extension_factory(number="2001", display_name="Was Busy", source="entra",
                            entra_object_id="11111111-1111-4111-8111-111111111111")
    ExtensionPresence.objects.create(extension=ext, organization=organization, availability="Busy",
                                     activity="InACall", pbx_state="on_call", changed_at=timezone.now())
    states = presence_state_chart(organization=organization)
    assert states["users"] == 0 and not states["read"]
    assert "Busy, in a call" not in admin_client.get(reverse("extensions:list")).content.decode()
    page = directory_presence_attach(DirectoryPage("", 1, 25, [DirectoryEntry("extension", ext.pk, ext.display_name)],
                                                   False))
    assert page.entries[0].presence is None
    html = admin_client.get(reverse("integrations:collaboration")).content.decode()
    assert "Teams presence synchronization (Teams to PBX) is switched off" in html
