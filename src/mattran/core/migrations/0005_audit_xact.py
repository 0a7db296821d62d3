# The audit event's writing transaction (PostgreSQL), for the approval's check of what
# changed since its figures were taken (reports.services, core.audit.audit_since).

import mattran.core.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_form_token'),
    ]

    operations = [
        # Added without a default, then given it: a volatile default in ADD COLUMN
        # would make PostgreSQL rewrite the whole audit table.
        migrations.AddField(
            model_name='auditevent',
            name='xact',
            field=models.BigIntegerField(blank=True, editable=False, null=True, verbose_name='giao dịch ghi'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='xact',
            field=models.BigIntegerField(blank=True, db_default=mattran.core.models.CurrentTransactionId(), editable=False, null=True, verbose_name='giao dịch ghi'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('xact__isnull', False)), fields=['xact'], name='core_audit_xact'),
        ),
    ]
