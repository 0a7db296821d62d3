"""The statement import's references checked once per statement, not once per row.

PostgreSQL checks a foreign key with one query per inserted row: for a million
imported lines, five million lookups (ledger: fund, account, statement line;
statement line: account, import), about a fifth of the import's time. These
five references are now checked by triggers (funds.db.reference_checks_sql):
on PostgreSQL one set-based check per INSERT/UPDATE statement over its new
rows, taking the same FOR KEY SHARE locks on the parent rows; a parent row
still named cannot be deleted or renumbered (a row trigger on the parent).
SQLite gets row triggers with the same effect. Django keeps the relations
(db_constraint=False only drops the database's own constraint).
"""

import django.db.models.deletion
from django.db import migrations, models

from mattran.funds.db import reference_checks_sql, run_vendor_sql


class Migration(migrations.Migration):

    dependencies = [
        ('funds', '0014_ledger_fewer_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerentry',
            name='account',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='funds.fundaccount', verbose_name='tài khoản'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='fund',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='funds.fund', verbose_name='quỹ'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='statement_line',
            field=models.OneToOneField(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='entry', to='funds.statementline', verbose_name='dòng sao kê'),
        ),
        migrations.AlterField(
            model_name='statementline',
            name='account',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='statement_lines', to='funds.fundaccount'),
        ),
        migrations.AlterField(
            model_name='statementline',
            name='statement_import',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='funds.statementimport'),
        ),
    ]


REFERENCES = reference_checks_sql()


def recreate_sqlite_triggers(apps, schema_editor):
    """The SQLite rebuild of the ledger dropped its append-only triggers (see 0007)."""
    from importlib import import_module

    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("0002_ledger_append_only", "0005_annotations_book_every_line"):
        triggers = import_module(f"mattran.funds.migrations.{name}").APPEND_ONLY
        for sql in triggers["backward"]["sqlite"] + triggers["forward"]["sqlite"]:
            schema_editor.execute(sql)


Migration.operations += [
    migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    migrations.RunPython(
        run_vendor_sql(REFERENCES["forward"]), run_vendor_sql(REFERENCES["backward"])
    ),
]
