import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from integrations.models import EntraConnection

pytestmark = pytest.mark.django_db
SECRET = "Abc8Q~super.secret-value_xyz"


def raw_secret_column(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM integrations_entraconnection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_secret_round_trips_and_database_holds_only_ciphertext(organization):
    conn = EntraConnection.objects.create(organization=organization, tenant_id="t", client_id="c", client_secret=SECRET)
    raw = raw_secret_column(conn.pk)
    assert SECRET not in raw
    assert raw.startswith("gAAAAA")  # Fernet token
    assert EntraConnection.objects.get(pk=conn.pk).client_secret == SECRET


def test_each_save_uses_a_fresh_ciphertext(organization):
    conn = EntraConnection.objects.create(organization=organization, client_secret=SECRET)
    first = raw_secret_column(conn.pk)
    conn.save()
    assert raw_secret_column(conn.pk) != first


def test_empty_secret_stays_empty(organization):
    conn = EntraConnection.objects.create(organization=organization)
    assert raw_secret_column(conn.pk) == ""
    assert EntraConnection.objects.get(pk=conn.pk).client_secret == ""


def test_encrypted_field_cannot_be_searched(organization):
    with pytest.raises(TypeError, match="cannot be filtered"):
        EntraConnection.objects.filter(client_secret=SECRET).exists()


def test_key_rotation_reencrypts_under_new_primary_key(organization, settings):
    conn = EntraConnection.objects.create(organization=organization, client_secret=SECRET)
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is retired
    assert Fernet(new_key.encode()).decrypt(raw_secret_column(conn.pk).encode()).decode() == SECRET
    assert EntraConnection.objects.get(pk=conn.pk).client_secret == SECRET
