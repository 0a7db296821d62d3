"""Store the public lookup's posting rows in index order again (PostgreSQL; nightly).

    mattran lookup_cluster

Imports and receipts append posting rows a day at a time; CLUSTER puts each
word's rows together again (migration 0012), so a rare word's days are read
from a few pages. Takes an exclusive lock on the posting table while it runs
(13 s at 20 million ledger lines): run it at night. SQLite: nothing to do.
"""

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Sắp xếp lại bảng tra cứu công khai theo từ (PostgreSQL, chạy hằng đêm)."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite: không cần sắp xếp lại.")
            return
        with connection.cursor() as cursor:
            cursor.execute("CLUSTER funds_lookupterm USING funds_lookup_term_newest")
            cursor.execute("ANALYZE funds_lookupterm")
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('funds_lookupterm')), "
                "(SELECT count(*) FROM funds_lookupterm)"
            )
            size, rows = cursor.fetchone()
        self.stdout.write(f"Đã sắp xếp lại bảng tra cứu: {rows} dòng, {size}.")
