"""PostgreSQL: keep 1,000 most common lookup terms in the statistics (default 100).

The public lookup drives a query of several words by the rarest one, judged
from pg_stats' most common terms of funds_lookupterm (portal.selectors
_driver_word); with 1,000 of them every common surname, middle name, given
name and memo word is known with its share of rows. ANALYZE samples 300,000
rows for it (the import's refresh_statistics runs it after a bulk import).
"""

from django.db import migrations


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("funds", "0007_opening_balance")]

    operations = [
        migrations.RunPython(
            _run("ALTER TABLE funds_lookupterm ALTER COLUMN term SET STATISTICS 1000"),
            _run("ALTER TABLE funds_lookupterm ALTER COLUMN term SET STATISTICS -1"),
        )
    ]
