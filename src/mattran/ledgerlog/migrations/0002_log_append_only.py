"""The database refuses UPDATE and DELETE on leaves and signed heads, as on the ledger.

Same mechanism as funds migration 0002 (PostgreSQL: a row trigger raising
restrict_violation; SQLite: triggers that abort unless the connection-local
mattran_ledger_writable() says the project's flush is running). Tiles are not
protected this way: a tile still filling is rewritten as the tree grows; a
changed tile no longer gives the signed roots, which any verifier sees.
"""

from django.db import migrations

MESSAGE = "Sổ cái công khai chỉ được ghi thêm: không được sửa hoặc xóa lá hay đầu cây đã ký"
TABLES = ["ledgerlog_logleaf", "ledgerlog_treehead"]

PG_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION ledgerlog_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
        "FOR EACH ROW EXECUTE FUNCTION ledgerlog_refuse_change();"
        for t in TABLES
    ),
]
PG_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in TABLES),
    "DROP FUNCTION IF EXISTS ledgerlog_refuse_change();",
]
SQLITE_FORWARD = [
    f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} "
    f"WHEN mattran_ledger_writable() = 0 BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    for t in TABLES
    for op in ("UPDATE", "DELETE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {t}_no_{op.lower()};" for t in TABLES for op in ("UPDATE", "DELETE")
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledgerlog", "0001_initial"), ("funds", "0002_ledger_append_only")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
