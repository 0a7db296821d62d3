"""The standard award types used by Front committees (reference data)."""

from django.db import migrations


def create(apps, schema_editor):
    from mattran.emulation.reference import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("emulation", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
