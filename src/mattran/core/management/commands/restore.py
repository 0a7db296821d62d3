"""`mattran restore IN`: restore a backup and prove the data equals the original."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mattran.core.backup import BackupError, backup_restore


def report(command: BaseCommand, differences, what: str) -> None:
    if differences:
        for difference in differences[:50]:
            command.stderr.write(f"  khác: {difference}")
        raise CommandError(f"{what}: {len(differences)} số liệu KHÔNG khớp với bản sao lưu.")
    command.stdout.write(f"{what}: mọi số liệu khớp với bản sao lưu.")


class Command(BaseCommand):
    help = (
        "Khôi phục bản sao lưu vào cơ sở dữ liệu đang cấu hình (hoặc --database-url), "
        "rồi so số dòng từng bảng và các số liệu kiểm tra với bản gốc."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Tệp sao lưu (có tệp .json đi kèm).")
        parser.add_argument(
            "--database-url", default=None, help="Khôi phục vào cơ sở dữ liệu này thay vì mặc định."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Thay toàn bộ dữ liệu hiện có (dừng ứng dụng và tiến trình nền trước).",
        )

    def handle(self, *args, path: Path, database_url: str | None, replace: bool, **options):
        try:
            differences = backup_restore(path=path, target_url=database_url, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        report(self, differences, f"Đã khôi phục {path}")
