"""Fewer index rows per ledger line, and the lookup postings of an import written from its stage.

A statement import writes a million ledger rows at a time; each index is an
insertion per row. Dropped (every query that filters on them checked):
- funds_ledgerentry(fund_id): ledger_fund_day (fund_id, booked_on) serves every
  fund filter and the foreign key's checks;
- funds_ledgerentry(created_by_id): no query looks entries up by their author;
- party_key's LIKE twin (varchar_pattern_ops): only equality is used;
- transfer_id and reverses_id (unique): partial, only rows that have one (a
  statement line never does); `transfer_id = x` and `reverses_id = x` still use them;
- funds_statementline(account_id, status): no query filters lines by status (every
  line is booked at import); statement_line_day serves the account filters.

PostgreSQL: the ledger's lookup-posting trigger skips the insert statements of
a statement import (the import sets mattran.lookup_postings = 'staged' for its
own INSERT … SELECT and writes the same posting rows itself, from its staging
table, with the words Python computed); every other writer is unchanged.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0013_lookup_pairs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="statementline",
            name="statement_line_status",
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người ghi",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="fund",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="funds.fund",
                verbose_name="quỹ",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="party_key",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="transfer",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="funds.transfer",
                verbose_name="điều chuyển",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["party_key"], name="ledger_party_key"),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("transfer__isnull", False)),
                fields=["transfer"],
                name="ledger_transfer",
            ),
        ),
    ]


# the lookup postings of 0011/0013 (words and adjacent pairs), but not for the rows of an import's INSERT … SELECT (it
# writes them from its staging table: funds.importing._StagedWriter)
LOOKUP_TRIGGER = """
    CREATE OR REPLACE FUNCTION funds_ledger_lookup_terms() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('mattran.lookup_postings', true) = 'staged' THEN
            RETURN NULL;
        END IF;
        INSERT INTO funds_lookupterm (term, booked_on, n, entry_ids)
        SELECT w, r.booked_on, count(*), array_agg(r.id ORDER BY r.id DESC)
        FROM new_rows r, funds_lookup_terms(r.search_key) AS w
        WHERE r.kind = 'receipt'
        GROUP BY w, r.booked_on;
        RETURN NULL;
    END;
    $$
"""
LOOKUP_TRIGGER_BACKWARD = """
    CREATE OR REPLACE FUNCTION funds_ledger_lookup_terms() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO funds_lookupterm (term, booked_on, n, entry_ids)
        SELECT w, r.booked_on, count(*), array_agg(r.id ORDER BY r.id DESC)
        FROM new_rows r, funds_lookup_terms(r.search_key) AS w
        WHERE r.kind = 'receipt'
        GROUP BY w, r.booked_on;
        RETURN NULL;
    END;
    $$
"""
PG_FORWARD = [
    LOOKUP_TRIGGER,
    # Django's state keeps the one-to-one's unique constraint; the database has the
    # same uniqueness over the rows that reverse something
    "ALTER TABLE funds_ledgerentry DROP CONSTRAINT funds_ledgerentry_reverses_id_key",
    "CREATE UNIQUE INDEX funds_ledgerentry_reverses_id_key ON funds_ledgerentry (reverses_id) "
    "WHERE reverses_id IS NOT NULL",
]
PG_BACKWARD = [
    "DROP INDEX funds_ledgerentry_reverses_id_key",
    "ALTER TABLE funds_ledgerentry ADD CONSTRAINT funds_ledgerentry_reverses_id_key "
    "UNIQUE (reverses_id)",
    LOOKUP_TRIGGER_BACKWARD,
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


def recreate_sqlite_triggers(apps, schema_editor):
    """SQLite rebuilt the ledger to alter its foreign keys, dropping its triggers (see 0007)."""
    from importlib import import_module

    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("0002_ledger_append_only", "0005_annotations_book_every_line"):
        triggers = import_module(f"mattran.funds.migrations.{name}").APPEND_ONLY
        for sql in triggers["backward"]["sqlite"] + triggers["forward"]["sqlite"]:
            schema_editor.execute(sql)


Migration.operations += [
    migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD)),
]
