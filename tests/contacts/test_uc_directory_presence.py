"""Teams presence in the UC Client directory: GET /api/uc/directory and /uc/directory/, one query per page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from presence.models import ExtensionPresence
from sso.models import SsoSettings
from sso.uc_session import SESSION_EXTENSION
from tests.helpers.contacts import add_contacts, make_mailbox, token_for
from tests.helpers.presence import presence_read

pytestmark = pytest.mark.django_db


def set_presence(extension, availability, activity, pbx_state, *, minutes_ago=0, unavailable=False):
    seen = timezone.now() - timedelta(minutes=minutes_ago)
    return ExtensionPresence.objects.create(
        extension=extension, organization=extension.organization, availability=availability, activity=activity,
        pbx_state=pbx_state, changed_at=None if unavailable else seen, unavailable_since=seen if unavailable else None)


@pytest.fixture
def team(organization, extension_factory):
    SsoSettings.objects.update_or_create(organization=organization, defaults={"allow_sso_login": True})
    presence_read(organization)
    me = extension_factory(number="2000", display_name="Me Myself")
    busy = extension_factory(number="2001", display_name="Team Busy", source="entra",
                             entra_object_id="0b1c2d3e-0000-4000-8000-000000000001")
    unlicensed = extension_factory(number="2002", display_name="Team Unlicensed", source="entra",
                                   entra_object_id="0b1c2d3e-0000-4000-8000-000000000002")
    extension_factory(number="2003", display_name="Team Manual")
    set_presence(busy, "Busy", "InACall", "on_call", minutes_ago=12)
    set_presence(unlicensed, "", "", "unknown", minutes_ago=60, unavailable=True)
    add_contacts(make_mailbox(organization), {"displayName": "Team Caterer"})
    return me, busy


def test_api_results_carry_presence_with_its_age(client, team):
    me, _busy = team
    body = client.get("/api/uc/directory", {"q": "team"}, HTTP_AUTHORIZATION=f"Bearer {token_for(me)}").json()
    by_name = {r["name"]: r for r in body["results"]}
    assert set(by_name) == {"Team Busy", "Team Unlicensed", "Team Manual", "Team Caterer"}
    presence = by_name["Team Busy"]["presence"]
    assert {k: presence[k] for k in ("state", "label", "availability", "activity")} == {
        "state": "on_call", "label": "Busy, in a call", "availability": "Busy", "activity": "InACall"}
    since = timezone.datetime.fromisoformat(presence["since"].replace("Z", "+00:00"))
    assert timedelta(minutes=11) < timezone.now() - since < timedelta(minutes=13)
    assert by_name["Team Unlicensed"]["presence"]["label"] == "No Teams presence"
    assert by_name["Team Unlicensed"]["presence"]["state"] == "unknown"
    assert by_name["Team Manual"]["presence"] is None  # never seen in Teams
    assert by_name["Team Caterer"]["presence"] is None  # contacts have no presence


def test_page_shows_presence_label_and_age(client, team):
    me, _busy = team
    session = client.session
    session[SESSION_EXTENSION] = me.pk
    session.save()
    page = client.get("/uc/directory/", {"q": "team busy"}).content.decode()
    row = page.split("<tbody>")[1].split("</tr>")[0]
    assert "Team Busy" in row and 'class="presence presence-on_call"' in row and ">Busy, in a call</span>" in row
    assert '<span class="presence-age">12\xa0minutes</span>' in row
    assert "Teams: Busy / InACall, since " in row
    assert 'style="' not in page and "<script>" not in page


def test_presence_costs_one_query_per_page(client, organization, extension_factory, team):
    me, _busy = team
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(me)}"}

    def search():
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/api/uc/directory", {"q": "team"}, **auth).json()
        return [q["sql"] for q in captured.captured_queries], body["results"]

    few, results = search()
    assert len(results) == 4
    for i in range(20):
        colleague = extension_factory(number=str(2100 + i), display_name=f"Team Member {i:02}", source="entra",
                                      entra_object_id=f"0b1c2d3e-0000-4000-8000-0000000001{i:02}")
        set_presence(colleague, "Available", "Available", "available", minutes_ago=i)
    many, results = search()
    assert len(results) == 24 and sum(1 for r in results if r["presence"]) == 22
    assert len(many) == len(few)
    assert sum(1 for sql in many if "presence_extensionpresence" in sql) == 1
