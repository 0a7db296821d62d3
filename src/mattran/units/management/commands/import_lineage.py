from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mattran.core.errors import UserFacingError
from mattran.units.importers import LINEAGE_COLUMNS, import_lineage_csv
from mattran.units.selectors import versions_by_code


class Command(BaseCommand):
    help = (
        "Nhập quan hệ kế thừa giữa hai phiên bản địa giới từ tệp CSV với các cột "
        + ", ".join(LINEAGE_COLUMNS)
        + ". Tất cả hoặc không."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--from", dest="from_code", required=True, help="phiên bản cũ")
        parser.add_argument("--to", dest="to_code", required=True, help="phiên bản mới")

    def handle(self, *args, file: Path, from_code: str, to_code: str, **options):
        try:
            source, target = versions_by_code(from_code, to_code)
        except UserFacingError as exc:
            raise CommandError(exc.message) from None
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}")
        try:
            with file.open("rb") as fh:
                n = import_lineage_csv(
                    actor=None,
                    source=fh,
                    from_version=source,
                    to_version=target,
                )
        except UserFacingError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"Đã nhập {n} quan hệ kế thừa."))
