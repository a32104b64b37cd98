"""The admin Extensions list links every extension (manual or synced) to its "UC password" page."""

import re

import pytest

from extensions.models import Extension

pytestmark = pytest.mark.django_db


def test_extensions_list_links_to_the_uc_password_page(admin_client, extension_factory, other_organization):
    manual = extension_factory(number="2001", display_name="Manual Mary")
    synced = extension_factory(number="2002", display_name="Synced Sam", source=Extension.Source.ENTRA,
                               entra_object_id="6b5d5a0e-52b6-4c4f-9a51-2b0b7d1d9f01")
    page = admin_client.get("/extensions/").content.decode()
    for extension in (manual, synced):
        link = re.search(rf'<a href="/sso/extensions/{extension.pk}/uc-password/">(.*?)</a>', page)
        assert link, f"no UC password link for {extension.number}"
        assert link.group(1).startswith("UC password") and extension.number in link.group(1)
        form = admin_client.get(f"/sso/extensions/{extension.pk}/uc-password/")
        assert form.status_code == 200 and extension.number in form.content.decode()
    foreign = extension_factory(org=other_organization, number="2003")
    assert f"/sso/extensions/{foreign.pk}/uc-password/" not in admin_client.get("/extensions/").content.decode()
    assert admin_client.get(f"/sso/extensions/{foreign.pk}/uc-password/").status_code == 404
