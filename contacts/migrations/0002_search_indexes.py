"""Directory search indexes, chosen with bench/contacts_sync.py (200,000 contacts, PostgreSQL 15).

PostgreSQL: name_key/digits/national use collation "C" so one btree serves both the prefix LIKE and the
ORDER BY (a page is an index range scan stopped by LIMIT); company contacts (owner_id IS NULL) get partial
indexes so a search never scans every user's personal contacts; pg_trgm GIN for substring search.
Measured before this design (plain pattern-ops and full-table trigram indexes): company name prefix 21 ms,
substring 32 ms, number prefix 74 ms per query. Other databases get plain btrees.
"""

from django.db import migrations

POSTGRES = [
    ("CREATE EXTENSION IF NOT EXISTS pg_trgm", None),
    ('ALTER TABLE contacts_contact ALTER COLUMN name_key TYPE text COLLATE "C"',
     'ALTER TABLE contacts_contact ALTER COLUMN name_key TYPE text COLLATE "default"'),
    ('ALTER TABLE contacts_contactnumber ALTER COLUMN digits TYPE text COLLATE "C"',
     'ALTER TABLE contacts_contactnumber ALTER COLUMN digits TYPE text COLLATE "default"'),
    ('ALTER TABLE contacts_contactnumber ALTER COLUMN national TYPE text COLLATE "C"',
     'ALTER TABLE contacts_contactnumber ALTER COLUMN national TYPE text COLLATE "default"'),
    ("CREATE INDEX contact_company_name ON contacts_contact (organization_id, name_key, id) "
     "WHERE owner_id IS NULL", "DROP INDEX IF EXISTS contact_company_name"),
    ("CREATE INDEX contact_company_trgm ON contacts_contact USING gin (search_text gin_trgm_ops) "
     "WHERE owner_id IS NULL", "DROP INDEX IF EXISTS contact_company_trgm"),
    ("CREATE INDEX contact_number_company_digits ON contacts_contactnumber (organization_id, digits, id) "
     "WHERE owner_id IS NULL", "DROP INDEX IF EXISTS contact_number_company_digits"),
    ("CREATE INDEX contact_number_company_national ON contacts_contactnumber (organization_id, national, id) "
     "WHERE owner_id IS NULL", "DROP INDEX IF EXISTS contact_number_company_national"),
]
OTHER = [
    ("CREATE INDEX contact_company_name ON contacts_contact (organization_id, name_key, id)",
     "DROP INDEX IF EXISTS contact_company_name"),
    ("CREATE INDEX contact_number_company_digits ON contacts_contactnumber (organization_id, digits, id)",
     "DROP INDEX IF EXISTS contact_number_company_digits"),
    ("CREATE INDEX contact_number_company_national ON contacts_contactnumber (organization_id, national, id)",
     "DROP INDEX IF EXISTS contact_number_company_national"),
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
