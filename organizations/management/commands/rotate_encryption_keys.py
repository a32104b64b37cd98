from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from pbx_portal.encryption import EncryptedTextField, rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEY. "
        "Rotate by prepending a new key, running this, then removing the old key."
    )

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            columns = [f.attname for f in fields]
            with transaction.atomic():
                # Read raw ciphertext (bypassing from_db_value) and write it back re-encrypted.
                for pk, *ciphertexts in _raw_rows(model, columns):
                    updates = {c: rotate(v) for c, v in zip(columns, ciphertexts, strict=True) if v}
                    if updates:
                        _raw_update(model, pk, updates)
                        total += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted secrets in {total} row(s)."))


def _raw_rows(model, columns):
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {cols} FROM {table}")  # noqa: S608 - identifiers quoted
        return cursor.fetchall()


def _raw_update(model, pk, updates):
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(model._meta.get_field(c).column)} = %s" for c in updates)
    pk_col = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk_col} = %s", [*updates.values(), pk])  # noqa: S608
