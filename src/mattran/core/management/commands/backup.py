"""`mattran backup OUT`: a consistent backup of the database plus its fingerprint."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mattran.core.backup import BackupError, backup_create, manifest_path
from mattran.core.vietnamese import format_number


class Command(BaseCommand):
    help = (
        "Sao lưu toàn bộ cơ sở dữ liệu (PostgreSQL: pg_dump; SQLite: sao lưu trực tuyến) "
        "vào tệp OUT, kèm OUT.json mô tả số liệu để kiểm tra khi khôi phục."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="Tệp sao lưu sẽ ghi ra.")

    def handle(self, *args, out: Path, **options):
        try:
            manifest = backup_create(out=out)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = manifest["fingerprint"]["row_counts"]
        self.stdout.write(
            f"Đã sao lưu {manifest['engine']} '{manifest['database']}' vào {out} "
            f"({format_number(manifest['size'])} byte): {len(rows)} bảng, "
            f"{format_number(sum(rows.values()))} dòng; "
            f"kiểm tra: {', '.join(manifest['fingerprint'])}. Mô tả: {manifest_path(out)}"
        )
