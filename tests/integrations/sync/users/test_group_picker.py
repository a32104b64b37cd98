"""The group picker is a searchable checkbox list (no Ctrl-click multi-select), the chosen groups listed first."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import EntraConnection
from integrations.sync.users.models import DirectoryGroup, UserSyncSettings

pytestmark = pytest.mark.django_db


def test_groups_are_checkboxes_with_the_chosen_first(admin_client, organization):
    EntraConnection.objects.create(organization=organization, tenant_id="contoso.onmicrosoft.com",
                                   client_id="00001111-aaaa-2222-bbbb-3333cccc4444", client_secret="s3cret",
                                   status="connected")
    for gid, name in (("g1", "Alpha"), ("g2", "Bravo"), ("g3", "Zulu")):
        DirectoryGroup.objects.create(organization=organization, entra_id=gid, name=name, refreshed_at=timezone.now())
    UserSyncSettings.objects.create(organization=organization, scope="groups", groups=[{"id": "g3", "name": "Zulu"}])
    html = admin_client.get(reverse("user_sync:settings")).content.decode()
    assert "<select" not in html[html.index("data-group-picker"):html.index("data-groups-refresh")]
    boxes = re.findall(r'<input type="checkbox" name="group_ids" value="(\w+)"[^>]*?( checked)?>', html)
    assert boxes == [("g3", " checked"), ("g1", ""), ("g2", "")]
    assert 'id="group-search"' in html and "Ctrl" not in html
