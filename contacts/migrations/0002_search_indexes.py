"""Directory search indexes. PostgreSQL gets pattern-ops btrees (prefix LIKE) and a pg_trgm GIN index
(substring LIKE); other databases get plain btrees. Figures that chose them: bench/contacts_sync.py."""

from django.db import migrations

POSTGRES = [
    ("CREATE EXTENSION IF NOT EXISTS pg_trgm", None),
    ("CREATE INDEX IF NOT EXISTS contact_name_prefix ON contacts_contact "
     "(organization_id, name_key text_pattern_ops)", "DROP INDEX IF EXISTS contact_name_prefix"),
    ("CREATE INDEX IF NOT EXISTS contact_search_trgm ON contacts_contact USING gin (search_text gin_trgm_ops)",
     "DROP INDEX IF EXISTS contact_search_trgm"),
    ("CREATE INDEX IF NOT EXISTS contact_number_digits ON contacts_contactnumber "
     "(organization_id, digits text_pattern_ops)", "DROP INDEX IF EXISTS contact_number_digits"),
    ("CREATE INDEX IF NOT EXISTS contact_number_national ON contacts_contactnumber "
     "(organization_id, national text_pattern_ops)", "DROP INDEX IF EXISTS contact_number_national"),
]
OTHER = [
    ("CREATE INDEX IF NOT EXISTS contact_name_prefix ON contacts_contact (organization_id, name_key)",
     "DROP INDEX IF EXISTS contact_name_prefix"),
    ("CREATE INDEX IF NOT EXISTS contact_number_digits ON contacts_contactnumber (organization_id, digits)",
     "DROP INDEX IF EXISTS contact_number_digits"),
    ("CREATE INDEX IF NOT EXISTS contact_number_national ON contacts_contactnumber (organization_id, national)",
     "DROP INDEX IF EXISTS contact_number_national"),
]


def _statements(connection):
    return POSTGRES if connection.vendor == "postgresql" else OTHER


def create(apps, schema_editor):
    for sql, _reverse in _statements(schema_editor.connection):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for _sql, reverse in reversed(_statements(schema_editor.connection)):
        if reverse:
            schema_editor.execute(reverse)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_contacts_sync")]
    operations = [migrations.RunPython(create, drop)]
