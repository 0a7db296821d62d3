"""Attachments are stored under generated names (core/uploads.py); the name the person
gave is kept in `attachment_name` for downloads. Rows stored before keep their file
where it is, and their name is the stored file's own."""

from pathlib import PurePath

from django.db import migrations, models


def name_old_attachments(apps, schema_editor):
    record_model = apps.get_model("activities", "ActivityRecord")
    for pk, path in record_model.objects.exclude(attachment="").values_list("pk", "attachment"):
        name = PurePath(path).name[-255:]
        record_model.objects.filter(pk=pk).update(attachment_name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_catalogue"),
    ]

    operations = [
        migrations.AddField(
            model_name="activityrecord",
            name="attachment_name",
            # null: added with ALTER TABLE ADD COLUMN on SQLite (a NOT NULL column would
            # rebuild the table and drop the triggers other apps keep on it)
            field=models.CharField(
                blank=True, max_length=255, null=True, verbose_name="tên tệp gốc"
            ),
        ),
        migrations.RunPython(name_old_attachments, migrations.RunPython.noop),
    ]
