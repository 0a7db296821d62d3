"""Verify the public ledger log (the same checks as the downloadable script).

    mattran verify-log                        this database, directly
    mattran verify-log --url https://…        a running site, through its public API
    mattran verify-log --entry 123 --key …    also one line's inclusion; pin the key
    mattran verify-log --full                 every leaf hashed again (the first bad leaf named)
Without --full: signatures, forks and a consistency proof between successive heads
(no leaf read; with --state after a --full run, the leaves added since are checked).
Exit status 1 when a check fails.
"""

import base64
import json

from django.core.management.base import BaseCommand, CommandError

from mattran.ledgerlog.selectors import DbSource
from mattran.ledgerlog.verifier import HttpSource, verify_log


class Command(BaseCommand):
    help = "Kiểm tra sổ cái công khai: chữ ký, tính nhất quán, từng lá."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="kiểm tra qua API công khai của trang này")
        parser.add_argument("--key", help="khóa công khai đã công bố (base64)")
        parser.add_argument("--entry", type=int, help="kiểm tra thêm một bút toán")
        parser.add_argument("--state", help="tệp lưu đầu cây đã kiểm tra lần trước")
        parser.add_argument(
            "--full", action="store_true", help="băm lại mọi lá, chỉ ra lá sai đầu tiên"
        )

    def handle(self, *args, url=None, key=None, entry=None, state=None, full=False, **options):
        source = HttpSource(url) if url else DbSource()
        saved = None
        if state:
            try:
                with open(state, encoding="utf-8") as fh:
                    saved = json.load(fh)
            except FileNotFoundError:
                saved = None
        ok, new_state = verify_log(
            source,
            pinned_key=base64.b64decode(key) if key else None,
            entry=entry,
            state=saved,
            full=full,
            out=self.stdout.write,
        )
        if state and ok:
            with open(state, "w", encoding="utf-8") as fh:
                json.dump(new_state, fh)
        if not ok:
            raise CommandError("Sổ cái công khai KHÔNG hợp lệ (xem các dòng LỖI ở trên).")
        self.stdout.write("Sổ cái công khai hợp lệ.")
