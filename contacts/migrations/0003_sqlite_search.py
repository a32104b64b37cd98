"""SQLite's own directory search path (the embedded default), chosen with bench/contacts_sync.py at 200,009 contacts.

SQLite's LIKE cannot use a btree for a prefix (it is case-insensitive unless the column's collation is NOCASE) and
has no trigram index, so the PostgreSQL path scanned every row there (p95 3.2 s). Here:
- an FTS5 table with the trigram tokenizer over ``search_text`` (external content: the contact rows themselves,
  kept in step by triggers) for substring matches of 3+ characters;
- partial btrees for company contacts (owner_id IS NULL) on name_key and on the number digits, and owner-first
  partial btrees for users' own contacts, so prefix searches are index range scans in result order (contacts/search.py
  turns the prefixes into ranges).
PostgreSQL keeps migration 0002's indexes; nothing here runs there.
"""

from django.db import migrations

SQLITE = [
    ("CREATE VIRTUAL TABLE contacts_contact_fts USING fts5(search_text, content='contacts_contact', "
     "content_rowid='id', tokenize='trigram')",
     "DROP TABLE IF EXISTS contacts_contact_fts"),
    ("CREATE TRIGGER contacts_contact_fts_insert AFTER INSERT ON contacts_contact BEGIN "
     "INSERT INTO contacts_contact_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
     "DROP TRIGGER IF EXISTS contacts_contact_fts_insert"),
    ("CREATE TRIGGER contacts_contact_fts_delete AFTER DELETE ON contacts_contact BEGIN "
     "INSERT INTO contacts_contact_fts(contacts_contact_fts, rowid, search_text) "
     "VALUES ('delete', old.id, old.search_text); END",
     "DROP TRIGGER IF EXISTS contacts_contact_fts_delete"),
    ("CREATE TRIGGER contacts_contact_fts_update AFTER UPDATE OF search_text ON contacts_contact BEGIN "
     "INSERT INTO contacts_contact_fts(contacts_contact_fts, rowid, search_text) "
     "VALUES ('delete', old.id, old.search_text); "
     "INSERT INTO contacts_contact_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
     "DROP TRIGGER IF EXISTS contacts_contact_fts_update"),
    ("INSERT INTO contacts_contact_fts(contacts_contact_fts) VALUES ('rebuild')", None),
    ("DROP INDEX IF EXISTS contact_company_name",
     "CREATE INDEX contact_company_name ON contacts_contact (organization_id, name_key, id)"),
    ("CREATE INDEX contact_company_name ON contacts_contact (organization_id, name_key, id) WHERE owner_id IS NULL",
     "DROP INDEX IF EXISTS contact_company_name"),
    ("CREATE INDEX contact_owner_name ON contacts_contact (owner_id, name_key, id) WHERE owner_id IS NOT NULL",
     "DROP INDEX IF EXISTS contact_owner_name"),
    ("DROP INDEX IF EXISTS contact_number_company_digits",
     "CREATE INDEX contact_number_company_digits ON contacts_contactnumber (organization_id, digits, id)"),
    ("CREATE INDEX contact_number_company_digits ON contacts_contactnumber (organization_id, digits, id) "
     "WHERE owner_id IS NULL", "DROP INDEX IF EXISTS contact_number_company_digits"),
    ("DROP INDEX IF EXISTS contact_number_company_national",
     "CREATE INDEX contact_number_company_national ON contacts_contactnumber (organization_id, national, id)"),
    ("CREATE INDEX contact_number_company_national ON contacts_contactnumber (organization_id, national, id) "
     "WHERE owner_id IS NULL", "DROP INDEX IF EXISTS contact_number_company_national"),
    ("CREATE INDEX contact_number_owner_digits ON contacts_contactnumber (owner_id, digits, id) "
     "WHERE owner_id IS NOT NULL",
     "DROP INDEX IF EXISTS contact_number_owner_digits"),
    ("CREATE INDEX contact_number_owner_national ON contacts_contactnumber (owner_id, national, id) "
     "WHERE owner_id IS NOT NULL",
     "DROP INDEX IF EXISTS contact_number_owner_national"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql, _reverse in SQLITE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for _sql, reverse in reversed(SQLITE):
            if reverse:
                schema_editor.execute(reverse)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_search_indexes")]
    operations = [migrations.RunPython(create, drop)]
