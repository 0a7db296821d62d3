"""Django's flush, allowed to empty the append-only ledger on SQLite (test teardown, resets)."""

from django.core.management.commands.flush import Command as FlushCommand

from mattran.funds.db import ledger_maintenance


class Command(FlushCommand):
    def handle(self, **options):
        with ledger_maintenance():
            return super().handle(**options)
