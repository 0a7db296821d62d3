from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mattran.core.errors import UserFacingError
from mattran.units.importers import LINEAGE_COLUMNS, import_lineage_csv
from mattran.units.models import StructureVersion


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
        versions = {
            v.code: v for v in StructureVersion.objects.filter(code__in=[from_code, to_code])
        }
        for code in (from_code, to_code):
            if code not in versions:
                raise CommandError(f"Không có phiên bản địa giới '{code}'.")
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}")
        try:
            with file.open("rb") as fh:
                n = import_lineage_csv(
                    actor=None,
                    source=fh,
                    from_version=versions[from_code],
                    to_version=versions[to_code],
                )
        except UserFacingError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"Đã nhập {n} quan hệ kế thừa."))
