from django.db import migrations

# The catalogue is installed by 0003 once indicators hold figure keys; an
# existing database that ran the old install here has its rows converted there.


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("activities", "0002_catalogue")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
