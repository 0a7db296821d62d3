"""Recompute the figures layer's summary tables from the records, in one transaction.

    mattran figures_rebuild
Writers of activity records, mediation cases, aggregate entries and the funds ledger wait until it
ends (PostgreSQL); readers keep reading the previous summaries meanwhile.
"""

import time

from django.core.management.base import BaseCommand

from mattran.core.vietnamese import format_number
from mattran.figures.summaries import LABELS, summaries_rebuild


class Command(BaseCommand):
    help = "Tính lại các bảng tổng hợp số liệu từ bản ghi gốc (trong một giao dịch)."

    def handle(self, *args, **options):
        t0 = time.perf_counter()
        counts = summaries_rebuild()
        for table, n in counts.items():
            self.stdout.write(f"{LABELS[table]}: tính lại {format_number(n)} dòng.")
        seconds = time.perf_counter() - t0
        self.stdout.write(f"Đã tính lại các bảng tổng hợp ({seconds:.1f} giây).")
