"""mattran import_statement FILE --fund FUND --layout vcb|vietinbank|agribank|bidv|mapping.json"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mattran.core.jobs import job_run, job_start
from mattran.core.models import JobStatus
from mattran.funds.importing import import_summary_lines
from mattran.funds.jobs import STATEMENT_IMPORT
from mattran.funds.models import AccountKind, Fund, StatementImport
from mattran.funds.statement_formats import LAYOUTS


class TerminalBar:
    """A one-line progress bar on stderr: [#####.....] 45% 3.600/8.008 dòng."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream, self.width, self.started = stream, width, time.monotonic()

    def __call__(self, done: int, total: int | None, message: str) -> None:
        if total:
            filled = self.width * min(done, total) // total
            bar = "#" * filled + "." * (self.width - filled)
            text = f"[{bar}] {100 * done // total:3d}% {done:,}/{total:,} dòng".replace(",", ".")
        else:
            text = f"{done:,} dòng".replace(",", ".")
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(f"\r{text} ({rate:,.0f} dòng/giây)".replace(",", ".") + " " * 4)
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")


class Command(BaseCommand):
    help = "Nhập sao kê ngân hàng vào tài khoản của một quỹ (không ghi trùng, đối chiếu số dư)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--fund", required=True, help="mã số (id) hoặc tên đầy đủ của quỹ")
        parser.add_argument(
            "--layout",
            required=True,
            help=f"{'|'.join(LAYOUTS)} hoặc đường dẫn tệp JSON ánh xạ cột (ColumnMapping)",
        )
        parser.add_argument("--account", help="số tài khoản, nếu quỹ có nhiều tài khoản ngân hàng")
        parser.add_argument("--user", help="tên đăng nhập của người nhập (ghi vào nhật ký)")
        parser.add_argument("--quiet", action="store_true", help="không hiện thanh tiến độ")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}")
        fund_arg = opts["fund"]
        funds = (
            Fund.objects.filter(pk=int(fund_arg))
            if fund_arg.isdigit()
            else Fund.objects.filter(name=fund_arg)
        )
        fund = funds.select_related("unit").first()
        if fund is None or funds.count() > 1:
            raise CommandError(f"Không tìm thấy đúng một quỹ '{fund_arg}'")
        accounts = fund.accounts.filter(kind=AccountKind.BANK)
        if opts["account"]:
            accounts = accounts.filter(account_number=opts["account"])
        if accounts.count() != 1:
            raise CommandError("Cần chỉ rõ một tài khoản ngân hàng của quỹ (--account)")
        layout, mapping = opts["layout"], None
        if layout not in LAYOUTS:
            mapping_path = Path(layout)
            if not mapping_path.is_file():
                raise CommandError(
                    f"Mẫu '{layout}' không có; cần {', '.join(LAYOUTS)} hoặc tệp JSON"
                )
            mapping = json.loads(mapping_path.read_text(encoding="utf-8"))
            layout = "mapping"
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"Không có người dùng {opts['user']}")
        job = job_start(
            kind=STATEMENT_IMPORT,
            actor=user,
            unit=fund.unit,
            params={
                "account_id": accounts.get().pk,
                "path": str(path.resolve()),
                "file_name": path.name,
                "layout": layout,
                "mapping": mapping,
            },
            enqueue=False,
        )
        bar = None if opts["quiet"] else TerminalBar()
        job = job_run(job.pk, on_progress=bar)
        if bar:
            bar.close()
        if job.status != JobStatus.DONE:
            raise CommandError(job.message)
        imp = StatementImport.objects.get(pk=job.result["import_id"])
        for line in import_summary_lines(imp):
            self.stdout.write(line)
