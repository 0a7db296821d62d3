"""The database refuses UPDATE and DELETE on ledger rows (like django-hordak's triggers).

PostgreSQL: a row trigger raising restrict_violation (SQLSTATE 23001), so any
client, not only Django, is refused. TRUNCATE (table owner only) is not
blocked: test databases are emptied with it.

SQLite: BEFORE UPDATE / BEFORE DELETE triggers that abort unless the
connection-local function mattran_ledger_writable() returns 1. Django
connections register it returning 0 (see mattran.funds.db); the project's
`flush` command turns it on while it empties the database. A raw connection
without the function fails with "no such function", so it is refused too.

PostgreSQL also gets pg_trgm and a trigram index on the public search key,
so the donation lookup's substring search is an index scan.
"""

from django.db import migrations

MESSAGE = "Sổ quỹ chỉ được ghi thêm: không được sửa hoặc xóa bút toán (hãy lập bút toán đảo)"

PG_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION funds_ledger_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER funds_ledger_append_only
    BEFORE UPDATE OR DELETE ON funds_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION funds_ledger_refuse_change();
    """,
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
    "CREATE INDEX funds_ledger_search_trgm ON funds_ledgerentry "
    "USING gin (search_key gin_trgm_ops);",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS funds_ledger_search_trgm;",
    "DROP TRIGGER IF EXISTS funds_ledger_append_only ON funds_ledgerentry;",
    "DROP FUNCTION IF EXISTS funds_ledger_refuse_change();",
]

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER funds_ledger_no_update BEFORE UPDATE ON funds_ledgerentry
    WHEN mattran_ledger_writable() = 0
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER funds_ledger_no_delete BEFORE DELETE ON funds_ledgerentry
    WHEN mattran_ledger_writable() = 0
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS funds_ledger_no_update;",
    "DROP TRIGGER IF EXISTS funds_ledger_no_delete;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
