"""`mattran verify_backup IN`: restore into a scratch database, compare, drop it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mattran.core.backup import BackupError, backup_verify

from .restore import report


class Command(BaseCommand):
    help = (
        "Kiểm tra bản sao lưu: khôi phục vào một cơ sở dữ liệu tạm, so số liệu với bản gốc, "
        "rồi xoá cơ sở dữ liệu tạm. Không đụng tới dữ liệu đang dùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            differences = backup_verify(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        report(self, differences, f"Kiểm tra {path}")
