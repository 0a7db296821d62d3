"""Sign a tree head of the public ledger (run daily from cron or a systemd timer).

Appends any public ledger lines not yet in the log first (a fund made public
later), then signs the log's size and root with the current key.
"""

from django.core.management.base import BaseCommand, CommandError

from mattran.core.errors import UserFacingError
from mattran.ledgerlog.services import head_sign, log_catch_up


class Command(BaseCommand):
    help = "Ký đầu cây của sổ cái công khai (chạy ít nhất mỗi ngày một lần)."

    def handle(self, *args, **options):
        try:
            added = log_catch_up()
            head = head_sign()
        except UserFacingError as exc:
            raise CommandError(str(exc)) from exc
        if added:
            self.stdout.write(f"Đã thêm {added} dòng sổ chưa có trong sổ cái công khai.")
        self.stdout.write(
            f"Đã ký đầu cây: {head.size} lá, gốc {bytes(head.root).hex()}, "
            f"khóa {head.key.key_id}, thời điểm {head.timestamp_ms}."
        )
