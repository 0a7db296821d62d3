"""Create, rotate or show the key that signs the public ledger's tree heads.

mattran ledger_key --create     first key (file: MATTRAN_LEDGER_KEY_FILE)
mattran ledger_key --rotate     new key, endorsed by the current one
mattran ledger_key              show the public keys (publish the current one)
"""

from django.core.management.base import BaseCommand, CommandError

from mattran.core.errors import UserFacingError
from mattran.ledgerlog.keys import key_create, key_path, public_key_b64
from mattran.ledgerlog.models import SigningKey


class Command(BaseCommand):
    help = "Tạo, đổi hoặc xem khóa ký đầu cây của sổ cái công khai."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--create", action="store_true", help="tạo khóa đầu tiên")
        group.add_argument("--rotate", action="store_true", help="đổi sang khóa mới")

    def handle(self, *args, create=False, rotate=False, **options):
        try:
            if create or rotate:
                row = key_create(rotate=rotate)
                self.stdout.write(f"Đã tạo khóa {row.key_id}; tệp khóa riêng: {key_path()}")
        except UserFacingError as exc:
            raise CommandError(str(exc)) from exc
        for row in SigningKey.objects.order_by("id"):
            state = f"thôi dùng từ {row.retired_at:%d/%m/%Y}" if row.retired_at else "đang dùng"
            self.stdout.write(f"{row.key_id}  {public_key_b64(row)}  ({state})")
