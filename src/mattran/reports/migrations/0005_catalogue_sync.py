from django.db import migrations


def sync(apps, schema_editor):
    from mattran.reports.catalogue_sync import catalogue_sync

    catalogue_sync(apps)


class Migration(migrations.Migration):
    """The default template's lines brought up to the catalogue in an existing database
    (lines an office edited are kept; see reports/catalogue_sync.py)."""

    dependencies = [("reports", "0004_item_level")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
