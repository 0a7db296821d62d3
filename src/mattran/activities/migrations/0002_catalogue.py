from django.db import migrations


def install(apps, schema_editor):
    from mattran.activities.catalogue import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
