import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mattran.core.errors import UserFacingError
from mattran.units.importers import GSO_COLUMNS, TREE_COLUMNS, import_units_csv
from mattran.units.models import StructureVersion
from mattran.units.services import structure_version_ensure


class Command(BaseCommand):
    help = (
        "Nhập đơn vị hành chính của một tỉnh/thành phố từ tệp CSV (UTF-8). Bố cục danh mục "
        "của Tổng cục Thống kê: "
        + ", ".join(GSO_COLUMNS)
        + "; hoặc bố cục cây: "
        + ", ".join(TREE_COLUMNS)
        + ". Tất cả hoặc không: có lỗi thì không ghi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="tệp CSV")
        parser.add_argument(
            "--structure",
            dest="version_code",
            required=True,
            help="mã phiên bản địa giới, ví dụ 2023 hoặc 2025-07",
        )
        parser.add_argument("--structure-name", help="tên phiên bản (khi tạo mới)")
        parser.add_argument(
            "--valid-from",
            type=dt.date.fromisoformat,
            help="ngày hiệu lực YYYY-MM-DD (khi tạo mới)",
        )
        parser.add_argument("--valid-to", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--legal-basis", default="", help="căn cứ pháp lý")

    def handle(self, *args, file: Path, version_code: str, **options):
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}")
        version = StructureVersion.objects.filter(code=version_code).first()
        if version is None:
            if not options["valid_from"]:
                raise CommandError(
                    f"Phiên bản '{version_code}' chưa có: cần --valid-from để tạo mới."
                )
            version = structure_version_ensure(
                actor=None,
                code=version_code,
                name=options["structure_name"] or f"Địa giới hành chính {version_code}",
                valid_from=options["valid_from"],
                valid_to=options["valid_to"],
                legal_basis=options["legal_basis"],
            )
        try:
            with file.open("rb") as fh:
                result = import_units_csv(
                    actor=None, source=fh, version=version, source_name=file.name
                )
        except UserFacingError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập {result.created} đơn vị vào {version.name} "
                f"(cấp tỉnh {result.by_level.get(1, 0)}, cấp huyện {result.by_level.get(2, 0)}, "
                f"cấp xã {result.by_level.get(3, 0)}, khu dân cư {result.by_level.get(4, 0)})."
            )
        )
