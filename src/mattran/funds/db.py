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


# ------------------------------------------------------- references checked per statement
# Migration 0015: the references of the rows a statement import writes by the
# hundred thousand are not foreign keys (PostgreSQL checks a foreign key with one
# query per inserted row) but triggers with the same effect: a row naming no row of
# the parent table is refused, and so is deleting (or renumbering) a parent row that
# is still named. On PostgreSQL the child side is one set-based check per INSERT or
# UPDATE statement (transition table), which also takes the FOR KEY SHARE locks a
# foreign key takes, so a concurrent delete of a parent waits for the commit.

# (child table, column, parent table)
REFERENCES = (
    ("funds_ledgerentry", "fund_id", "funds_fund"),
    ("funds_ledgerentry", "account_id", "funds_fundaccount"),
    ("funds_ledgerentry", "statement_line_id", "funds_statementline"),
    ("funds_statementline", "account_id", "funds_fundaccount"),
    ("funds_statementline", "statement_import_id", "funds_statementimport"),
)


def _by(index: int) -> dict[str, list[tuple[str, str, str]]]:
    grouped: dict[str, list[tuple[str, str, str]]] = {}
    for ref in REFERENCES:
        grouped.setdefault(ref[index], []).append(ref)
    return grouped


def _pg_child(child: str, refs: list[tuple[str, str, str]]) -> list[str]:
    checks = "".join(
        f"""
        SELECT count(DISTINCT {column}) INTO wanted FROM new_rows;
        IF wanted > 0 THEN
            SELECT count(*) INTO found FROM (
                SELECT 1 FROM {parent} p WHERE p.id IN (SELECT {column} FROM new_rows)
                FOR KEY SHARE OF p
            ) locked;
            IF found <> wanted THEN
                RAISE EXCEPTION 'insert or update on table "{child}" violates foreign key: '
                    '{column} names no row of {parent}'
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
        END IF;"""  # noqa: S608 - table and column names of REFERENCES
        for _, column, parent in refs
    )
    return [
        f"""
    CREATE OR REPLACE FUNCTION {child}_check_references() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE wanted bigint; found bigint;
    BEGIN{checks}
        RETURN NULL;
    END;
    $$
    """,
        *(
            f"""
    CREATE TRIGGER {child}_references_{event.lower()} AFTER {event} ON {child}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {child}_check_references()
    """
            for event in ("INSERT", "UPDATE")
        ),
    ]


def _pg_parent(parent: str, refs: list[tuple[str, str, str]]) -> list[str]:
    checks = "".join(
        f"""
        IF EXISTS (SELECT 1 FROM {child} WHERE {column} = OLD.id) THEN
            RAISE EXCEPTION 'update or delete on table "{parent}" violates foreign key: '
                'the row is still named by {child}.{column}'
                USING ERRCODE = 'foreign_key_violation';
        END IF;"""  # noqa: S608 - table and column names of REFERENCES
        for child, column, _ in refs
    )
    return [
        f"""
    CREATE OR REPLACE FUNCTION {parent}_refuse_named() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
            RETURN NEW;
        END IF;{checks}
        IF TG_OP = 'UPDATE' THEN
            RETURN NEW;
        END IF;
        RETURN OLD;
    END;
    $$
    """,
        f"""
    CREATE TRIGGER {parent}_named BEFORE DELETE OR UPDATE OF id ON {parent}
    FOR EACH ROW EXECUTE FUNCTION {parent}_refuse_named()
    """,
    ]


def _sqlite_child(child: str, column: str, parent: str) -> list[str]:
    return [
        f"""
    CREATE TRIGGER {child}_{column}_{verb.split()[0].lower()} BEFORE {verb} ON {child}
    WHEN NEW.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} WHERE id = NEW.{column})
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {child}.{column}'); END
    """  # noqa: S608 - table and column names of REFERENCES
        for verb in ("INSERT", f"UPDATE OF {column}")
    ]


def _sqlite_parent(child: str, column: str, parent: str) -> list[str]:
    # not while the database is emptied (flush: ledger_maintenance)
    return [
        f"""
    CREATE TRIGGER {parent}_named_by_{child}_{column}_{verb.split()[0].lower()}
    BEFORE {verb} ON {parent}
    WHEN mattran_ledger_writable() = 0 {extra}
        AND EXISTS (SELECT 1 FROM {child} WHERE {column} = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {parent} named by {child}'); END
    """  # noqa: S608 - table and column names of REFERENCES
        for verb, extra in (("DELETE", ""), ("UPDATE OF id", "AND NEW.id <> OLD.id"))
    ]


def _sqlite_names(child: str, column: str, parent: str) -> list[str]:
    return [
        f"{child}_{column}_insert",
        f"{child}_{column}_update",
        f"{parent}_named_by_{child}_{column}_delete",
        f"{parent}_named_by_{child}_{column}_update",
    ]


def reference_checks_sql() -> dict[str, dict[str, list[str]]]:
    """Forward and backward SQL, per vendor, of the triggers that stand for REFERENCES' keys.

    SQLite rebuilds a table to alter it and drops its triggers: a migration that
    alters one of these tables runs the backward and forward SQLite statements
    again (as for the append-only triggers); tests/funds/test_ledger.py checks them.
    """
    children, parents = _by(0), _by(2)
    pg_forward = [sql for child, refs in children.items() for sql in _pg_child(child, refs)]
    pg_forward += [sql for parent, refs in parents.items() for sql in _pg_parent(parent, refs)]
    pg_backward = [
        f"DROP TRIGGER IF EXISTS {child}_references_{e} ON {child}"
        for child in children
        for e in ("insert", "update")
    ]
    pg_backward += [f"DROP FUNCTION IF EXISTS {child}_check_references()" for child in children]
    pg_backward += [f"DROP TRIGGER IF EXISTS {p}_named ON {p}" for p in parents]
    pg_backward += [f"DROP FUNCTION IF EXISTS {p}_refuse_named()" for p in parents]
    sqlite_forward = [
        sql for ref in REFERENCES for sql in _sqlite_child(*ref) + _sqlite_parent(*ref)
    ]
    sqlite_backward = [
        f"DROP TRIGGER IF EXISTS {name}" for ref in REFERENCES for name in _sqlite_names(*ref)
    ]
    return {
        "forward": {"postgresql": pg_forward, "sqlite": sqlite_forward},
        "backward": {"postgresql": pg_backward, "sqlite": sqlite_backward},
    }
