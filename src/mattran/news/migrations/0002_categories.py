"""Default news categories (editable in the admin)."""

from django.db import migrations


def create(apps, schema_editor):
    from mattran.news.reference import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("news", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
