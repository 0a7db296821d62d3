"""Django's flush, allowed to empty the append-only ledger on SQLite (test teardown, resets).

It also empties the public lookup's postings (`funds_lookupterm`): Django does not
manage that table, so its own flush leaves it, and its rows would then name receipt
ids that the emptied ledger hands out again to new receipts. Emptied only when the
ledger is (an interactive flush that was cancelled leaves both)."""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from mattran.funds.db import ledger_maintenance
from mattran.funds.models import LedgerEntry, LookupTerm


class Command(FlushCommand):
    def handle(self, **options):
        with ledger_maintenance():
            result = super().handle(**options)
        database = options["database"]
        connection = connections[database]
        table = LookupTerm._meta.db_table
        if (
            table in connection.introspection.table_names()
            and not LedgerEntry.objects.using(database).exists()
        ):
            with connection.cursor() as cursor:
                cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 (a model's table name)
        return result
