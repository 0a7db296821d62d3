"""Compare the figures layer's summary tables with a recomputation from the records.

    mattran figures_verify
Read only. Exit status 1 when a table differs (run `mattran figures_rebuild`).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from mattran.core.vietnamese import format_number
from mattran.figures.summaries import summaries_verify


class Command(BaseCommand):
    help = "Kiểm tra các bảng tổng hợp số liệu: so với số liệu tính lại từ bản ghi gốc."

    def handle(self, *args, **options):
        t0 = time.perf_counter()
        checks = summaries_verify()
        for c in checks:
            if c.ok:
                self.stdout.write(
                    f"{c.label}: {format_number(c.stored)} dòng, khớp với bản ghi gốc."
                )
                continue
            self.stdout.write(
                f"LỖI {c.label}: {format_number(c.stored)} dòng trong bảng, "
                f"{format_number(c.expected)} dòng tính lại; "
                f"{format_number(c.missing)} dòng thiếu hoặc sai, "
                f"{format_number(c.extra)} dòng thừa hoặc sai."
            )
            for kind, *row in c.samples:
                cells = ", ".join(
                    f"{name}={value}" for name, value in zip(c.columns, row, strict=False)
                )
                self.stdout.write(f"  {kind}: {cells}")
        seconds = time.perf_counter() - t0
        if not all(c.ok for c in checks):
            raise CommandError(
                "Bảng tổng hợp KHÔNG khớp với bản ghi gốc. "
                "Chạy `mattran figures_rebuild` để tính lại."
            )
        self.stdout.write(f"Các bảng tổng hợp đều khớp ({seconds:.1f} giây).")
