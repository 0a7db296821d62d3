"""PostgreSQL: the lookup's posting rows stored in index order (CLUSTER), a word's days together.

The posting lists are written a day (or an import) at a time, so the rows of
one word lie one per heap page: reading a rare word's 730 days took 730 page
reads (27 ms warm at 20 million lines, far more cold). Clustered by
(term, booked_on DESC) they take a few pages. New rows are appended
unclustered; `mattran lookup_cluster` (nightly, docs/production.md) restores
the order (13 s at 20 million lines, 648 MB; lookups wait meanwhile).
"""

from django.db import migrations


def _cluster(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CLUSTER funds_lookupterm USING funds_lookup_term_newest")


class Migration(migrations.Migration):
    dependencies = [("funds", "0011_lookup_postings")]

    operations = [migrations.RunPython(_cluster, migrations.RunPython.noop)]
