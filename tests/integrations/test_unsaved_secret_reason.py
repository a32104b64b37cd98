"""When a pasted secret is refused on Save, the note under it gives the true reason: the secret itself when the secret
is what is wrong (the Secret ID pasted instead of the Value), other fields only when they are what is wrong."""

import pytest

from tests.helpers.entra_form import form_data

pytestmark = pytest.mark.django_db
SECRET_ID = "3f1c2b4a-1111-2222-3333-444455556666"  # the Secret ID column, not the Value


def test_the_secret_itself_refused_is_not_blamed_on_other_fields(admin_client):
    body = admin_client.post("/integrations/entra/", form_data(client_secret=SECRET_ID)).content.decode()
    assert "looks like the Secret ID" in body
    assert "because other fields need correcting" not in body
    assert "The secret you entered was not saved: it is never shown again, so paste it again" in body


def test_a_secret_refused_for_another_field_says_so(admin_client):
    body = admin_client.post("/integrations/entra/", form_data(client_id="not-a-guid")).content.decode()
    assert "The secret you entered was not saved, because other fields need correcting." in body
