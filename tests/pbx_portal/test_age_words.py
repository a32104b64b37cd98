"""How long ago, in words: under a minute is "less than a minute" (Django's timesince says "0 minutes")."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from presence.models import ExtensionPresence
from tests.helpers.factories import make_extension
from tests.helpers.presence import presence_read

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seconds, words", [(5, "less than a minute"), (59, "less than a minute"),
                                            (61, "1\xa0minute"), (3 * 3600, "3\xa0hours")])
def test_age(seconds, words):
    rendered = Template("{{ at|age }}").render(Context({"at": timezone.now() - timedelta(seconds=seconds)}))
    assert rendered == words


def test_a_presence_just_polled_is_not_zero_minutes_old(admin_client, organization):
    presence_read(organization)
    extension = make_extension(organization, number="2001", display_name="Adele Vance", source="entra",
                               entra_object_id="11111111-1111-4111-8111-111111111111")
    ExtensionPresence.objects.create(extension=extension, organization=organization, availability="Busy",
                                     activity="InACall", pbx_state="busy",
                                     changed_at=timezone.now() - timedelta(seconds=10))
    page = admin_client.get("/extensions/").content.decode()
    assert '<span class="presence-age">less than a minute</span>' in page and "0\xa0minutes" not in page
