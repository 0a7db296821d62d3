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

from mattran.funds.db import append_only_sql, run_vendor_sql

MESSAGE = "Sổ quỹ chỉ được ghi thêm: không được sửa hoặc xóa bút toán (hãy lập bút toán đảo)"
APPEND_ONLY = append_only_sql(table="funds_ledgerentry", prefix="funds_ledger", message=MESSAGE)
SEARCH_INDEX_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
    "CREATE INDEX funds_ledger_search_trgm ON funds_ledgerentry "
    "USING gin (search_key gin_trgm_ops);",
]
SEARCH_INDEX_BACKWARD = ["DROP INDEX IF EXISTS funds_ledger_search_trgm;"]

FORWARD = {
    "postgresql": APPEND_ONLY["forward"]["postgresql"] + SEARCH_INDEX_FORWARD,
    "sqlite": APPEND_ONLY["forward"]["sqlite"],
}
BACKWARD = {
    "postgresql": SEARCH_INDEX_BACKWARD + APPEND_ONLY["backward"]["postgresql"],
    "sqlite": APPEND_ONLY["backward"]["sqlite"],
}


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [
        migrations.RunPython(run_vendor_sql(FORWARD), run_vendor_sql(BACKWARD))
    ]
