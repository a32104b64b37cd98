"""The sync log and run pages keep the portal's sidebar (also when filtered by user), and show before/after as a
per-field diff."""

import pytest
from django.urls import reverse

from integrations.sync.models import SyncEvent, SyncKind, SyncRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(organization):
    run = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.MANUAL,
                                 status=SyncRun.Status.SUCCEEDED)
    SyncEvent.objects.create(run=run, organization=organization, action=SyncEvent.Action.UPDATED, subject="Ada",
                             before={"job_title": "Retail Manager", "department": "Retail"},
                             after={"job_title": "Senior Retail Manager", "department": "Retail", "mobile": "+1"})
    return run


@pytest.mark.parametrize("page", ["log", "run"])
def test_the_sidebar_stays_when_the_page_is_filtered_by_user(admin_client, run, page):
    url = reverse("sync:log") if page == "log" else reverse("sync:run", args=[run.pk])
    html = admin_client.get(url, {"user": "ada"}).content.decode()
    assert 'aria-label="Main navigation"' in html
    assert "contoso-admin" in html  # the signed-in admin, not the filter text


def test_field_changes_pair_before_and_after_in_order(run):
    event = run.events.get()
    assert event.field_changes() == [
        {"name": "job_title", "label": "Job title", "before": "Retail Manager", "after": "Senior Retail Manager",
         "changed": True},
        {"name": "department", "label": "Department", "before": "Retail", "after": "Retail", "changed": False},
        {"name": "mobile", "label": "Mobile", "before": None, "after": "+1", "changed": True},
    ]


def test_the_diff_names_each_field_in_the_words_of_the_extension_page(admin_client, organization):
    run = SyncRun.objects.create(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.MANUAL,
                                 status=SyncRun.Status.SUCCEEDED)
    SyncEvent.objects.create(run=run, organization=organization, action=SyncEvent.Action.CREATED, subject="Ada",
                             after={"email": "ada@contoso.com", "entra_upn": "ada@contoso.com", "first_name": "Ada",
                                    "last_name": "Lovelace", "number": "1000", "display_name": "Ada Lovelace"})
    html = admin_client.get(reverse("sync:run", args=[run.pk])).content.decode()
    for words in ("E-mail", "User principal name", "Given name", "Surname", "Extension number", "Display name"):
        assert f'<th scope="row">{words}</th>' in html
    for code in ("entra_upn", "first_name", "display_name", ">email<"):
        assert code not in html


def test_the_run_page_shows_each_changed_field_struck_out_and_inserted(admin_client, run):
    html = admin_client.get(reverse("sync:run", args=[run.pk])).content.decode()
    assert '<del><span class="visually-hidden">was </span>Retail Manager</del>' in html
    assert '<ins><span class="visually-hidden">now </span>Senior Retail Manager</ins>' in html
