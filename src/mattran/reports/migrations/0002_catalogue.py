from django.db import migrations


def install(apps, schema_editor):
    from mattran.reports.catalogue import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("activities", "0002_catalogue")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
