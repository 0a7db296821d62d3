from django.core.management.base import BaseCommand, CommandError

from mattran.access.selectors import grant_carry_over_plan
from mattran.access.services import grants_carry_over
from mattran.core.errors import UserFacingError
from mattran.units.selectors import versions_by_code


def _names(units) -> str:
    return ", ".join(u.name for u in units)


class Command(BaseCommand):
    help = (
        "Chuyển quyền của người dùng từ phiên bản địa giới cũ sang các đơn vị kế thừa "
        "ở phiên bản mới (theo quan hệ kế thừa). Mặc định chỉ in kế hoạch; --apply để thực hiện."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from_code", required=True, help="phiên bản cũ")
        parser.add_argument("--to", dest="to_code", required=True, help="phiên bản mới")
        parser.add_argument("--apply", action="store_true", help="cấp quyền (ghi nhật ký)")

    def handle(self, *args, from_code: str, to_code: str, apply: bool, **options):
        try:
            source, target = versions_by_code(from_code, to_code)
        except UserFacingError as exc:
            raise CommandError(exc.message) from None
        plan = grant_carry_over_plan(source=source, target=target)
        if not plan:
            self.stdout.write(f"Không có quyền nào trên đơn vị của phiên bản {source}.")
            return
        for item in plan:
            g = item.grant
            head = f"{g.user.get_username()} – {g.get_role_display()} tại {g.unit.name}"
            if item.problem:
                self.stdout.write(self.style.WARNING(f"  ✗ {head}: {item.problem}"))
                continue
            line = f"  → {head} ⇒ {_names(item.new_units)}"
            if item.existing:
                line += f" (đã có tại {_names(item.existing)})"
            self.stdout.write(line)
            if item.widened:
                self.stdout.write(
                    f"      lưu ý: đơn vị mới còn gồm {len(item.widened)} đơn vị cũ ngoài phạm vi "
                    f"quyền cũ: {_names(item.widened)}"
                )
        if not apply:
            self.stdout.write("Chưa cấp quyền nào (chạy lại với --apply để thực hiện).")
            return
        try:
            created, skipped = grants_carry_over(actor=None, source=source, target=target)
        except UserFacingError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã cấp {len(created)} quyền mới; {len(skipped)} quyền cần xử lý bằng tay."
            )
        )
