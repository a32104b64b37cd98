"""The UC Client's pages use the portal's shell with their own sidebar; the home page leads to the directory."""

import pytest
from django.urls import reverse

from sso.uc_session import uc_session_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def uc_client(client, extension_factory, rf):
    extension = extension_factory(display_name="Ada Lovelace", first_name="Ada")
    session = client.session
    request = rf.get("/")
    request.session = session
    uc_session_start(request, extension, method="password")
    request.session.save()
    client.cookies["sessionid"] = request.session.session_key
    return client


@pytest.mark.parametrize("name", ["uc:home", "uc_directory:page"])
def test_uc_pages_have_the_uc_sidebar_with_sign_out(uc_client, name):
    html = uc_client.get(reverse(name)).content.decode()
    assert 'aria-label="UC Client navigation"' in html
    assert f'action="{reverse("uc:logout")}"' in html
    assert 'aria-label="Main navigation"' not in html


def test_uc_home_has_a_directory_search_box_and_presence(uc_client):
    html = uc_client.get(reverse("uc:home")).content.decode()
    assert f'action="{reverse("uc_directory:page")}"' in html and 'type="search"' in html
    assert 'id="uc-presence"' in html
