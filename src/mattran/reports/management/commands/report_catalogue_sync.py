"""`mattran report_catalogue_sync [--dry-run]`: the default report template brought up to the
catalogue in place; lines an office edited are kept (reports/catalogue_sync.py)."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from mattran.reports.catalogue_sync import catalogue_sync


class Command(BaseCommand):
    help = (
        "Cập nhật mẫu báo cáo mặc định theo danh mục hiện hành: câu mặc định cũ được thay, "
        "câu còn thiếu được thêm; câu đơn vị đã sửa được giữ nguyên."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ liệt kê thay đổi, không ghi gì"
        )

    def handle(self, *args, dry_run: bool = False, **options):
        with transaction.atomic():
            result = catalogue_sync(apps, dry_run=dry_run)
        for line in result.lines():
            self.stdout.write(line)
        if dry_run and result.changed:
            self.stdout.write("(chạy thử: chưa ghi gì; bỏ --dry-run để cập nhật)")
