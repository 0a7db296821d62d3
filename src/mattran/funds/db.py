"""Connection set-up for the append-only ledger on SQLite (see migration 0002)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from django.db.backends.signals import connection_created
from django.dispatch import receiver

_state = threading.local()


def _writable() -> int:
    return 1 if getattr(_state, "maintenance", False) else 0


@receiver(connection_created)
def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "mattran_ledger_writable", 0, _writable, deterministic=False
        )


@contextlib.contextmanager
def ledger_maintenance() -> Iterator[None]:
    """Let this thread's SQLite connection delete ledger rows (database flush only)."""
    previous = getattr(_state, "maintenance", False)
    _state.maintenance = True
    try:
        yield
    finally:
        _state.maintenance = previous


# ------------------------------------------------------------- append-only tables
# Migrations 0002 (ledger entries) and 0005 (ledger annotations) make a table
# append-only with the same triggers; both build their SQL here.


def append_only_sql(*, table: str, prefix: str, message: str) -> dict[str, dict[str, list[str]]]:
    """Forward and backward SQL, per database vendor, refusing UPDATE and DELETE on `table`.

    PostgreSQL: a row trigger `<prefix>_append_only` calling `<prefix>_refuse_change()`,
    which raises restrict_violation (SQLSTATE 23001) with `message`. SQLite: triggers
    `<prefix>_no_update` / `<prefix>_no_delete` that abort unless the connection-local
    `mattran_ledger_writable()` returns 1 (see `register_sqlite_functions`).
    """
    return {
        "forward": {
            "postgresql": [
                f"""
    CREATE OR REPLACE FUNCTION {prefix}_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
                f"""
    CREATE TRIGGER {prefix}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {prefix}_refuse_change();
    """,
            ],
            "sqlite": [
                f"""
    CREATE TRIGGER {prefix}_no_{verb.lower()} BEFORE {verb} ON {table}
    WHEN mattran_ledger_writable() = 0
    BEGIN SELECT RAISE(ABORT, '{message}'); END;
    """
                for verb in ("UPDATE", "DELETE")
            ],
        },
        "backward": {
            "postgresql": [
                f"DROP TRIGGER IF EXISTS {prefix}_append_only ON {table};",
                f"DROP FUNCTION IF EXISTS {prefix}_refuse_change();",
            ],
            "sqlite": [f"DROP TRIGGER IF EXISTS {prefix}_no_{v};" for v in ("update", "delete")],
        },
    }


def run_vendor_sql(statements_by_vendor: dict[str, list[str]]):
    """A RunPython function executing the statements of the connection's vendor."""

    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run
