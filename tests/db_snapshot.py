"""A copy of the whole test database, taken once and put back before each test that
wants it: the demo data is built once per run (~all of Hà Nội, seed records, accounts)
and every browser test starts from exactly that state.

SQLite: the online backup API copies the database file page by page, both ways.
PostgreSQL: every model table is copied into a schema of its own; restoring empties
the tables and copies the rows back with triggers and foreign-key checks off
(`session_replication_role = replica`, the test database's owner is a superuser),
then moves each id sequence past the largest id, as `loaddata` does.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction

SCHEMA = "test_snapshot"


class Snapshot:
    def __init__(self, name: str):
        self.name = name
        self.tables: list[str] = []
        self.path: Path | None = None

    @classmethod
    def take(cls, name: str) -> Snapshot:
        snap = cls(name)
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            snap.path = Path(connection.settings_dict["NAME"]).with_suffix(f".{name}.sqlite3")
            snap.path.unlink(missing_ok=True)
            target = sqlite3.connect(snap.path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            return snap
        # The model tables and the derived tables Django does not manage (the public
        # lookup's postings, written by triggers), so that a restored ledger is found.
        existing = set(connection.introspection.table_names())
        unmanaged = {
            model._meta.db_table
            for model in apps.get_models()
            if not model._meta.managed and model._meta.db_table in existing
        }
        snap.tables = sorted(
            set(connection.introspection.django_table_names(only_existing=True)) | unmanaged
        )
        schema = f"{SCHEMA}_{name}"
        with connection.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            cur.execute(f'CREATE SCHEMA "{schema}"')
            for table in snap.tables:
                cur.execute(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"')
        return snap

    def restore(self) -> None:
        """Replace everything in the test database with the snapshot (autocommit only)."""
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            source = sqlite3.connect(self.path)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            schema = f"{SCHEMA}_{self.name}"
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SET LOCAL session_replication_role = replica")
                # DELETE, not TRUNCATE: on small tables it is several times faster
                # (TRUNCATE makes and syncs new files for every table).
                for table in self.tables:
                    cur.execute(f'DELETE FROM public."{table}"')  # noqa: S608
                for table in self.tables:
                    cur.execute(f'INSERT INTO public."{table}" SELECT * FROM "{schema}"."{table}"')  # noqa: S608
                models = apps.get_models(include_auto_created=True)
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cur.execute(sql)
        ContentType.objects.clear_cache()

    def drop(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        elif connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}_{self.name}" CASCADE')
