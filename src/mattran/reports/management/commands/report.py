"""`mattran report UNIT PERIOD [--structure VERSION] [--format text|json|docx|xlsx] [-o FILE]`."""

from __future__ import annotations

import datetime as dt
import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mattran.core.errors import UserFacingError
from mattran.core.periods import Period
from mattran.reports import selectors
from mattran.reports.exports.text import report_text

NATION = {"toan-quoc", "toàn quốc", "toan quoc"}


class Command(BaseCommand):
    help = "In báo cáo công tác Mặt trận của một đơn vị cho một kỳ."

    def add_arguments(self, parser):
        parser.add_argument("unit", help="Tên hoặc mã đơn vị, ví dụ “Quận Đống Đa” hoặc 006")
        parser.add_argument("period", help="Kỳ báo cáo: 2023, 2023-09, 2023-Q3, 2023-H1, 2023-9M…")
        parser.add_argument("--structure", help="Mã phiên bản địa giới, ví dụ 2023 hoặc 2025-07")
        parser.add_argument(
            "--format", choices=["text", "json", "docx", "xlsx"], default="text", dest="fmt"
        )
        parser.add_argument("-o", "--output", help="Ghi ra tệp (bắt buộc với docx, xlsx)")
        parser.add_argument(
            "--user", help="Chỉ tính số liệu người dùng này được xem (mặc định: toàn bộ)"
        )
        parser.add_argument(
            "--date", help="Ngày ghi trên văn bản DOCX (YYYY-MM-DD; mặc định: hôm nay)"
        )

    def handle(self, *args, unit, period, structure, fmt, output, user, date, **options):
        try:
            report = self._build(unit, period, structure, user)
        except UserFacingError as exc:
            raise CommandError(exc.message) from exc
        if fmt in ("docx", "xlsx") and not output:
            raise CommandError(f"Định dạng {fmt} cần tên tệp: -o báo-cáo.{fmt}")
        if fmt == "text":
            data = report_text(report).encode()
        elif fmt == "json":
            data = (json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n").encode()
        elif fmt == "docx":
            from mattran.reports.exports.docx import report_docx

            try:
                day = dt.date.fromisoformat(date) if date else timezone.localdate()
            except ValueError as exc:
                raise CommandError(f"Ngày “{date}” không hợp lệ (YYYY-MM-DD).") from exc
            data = report_docx(
                report, document_date=day, signer_name=selectors.signer_name(unit=report.unit)
            )
        else:
            from mattran.reports.exports.xlsx import report_xlsx

            data = report_xlsx(report)
        if output and output != "-":
            with open(output, "wb") as fh:
                fh.write(data)
            self.stderr.write(f"Đã ghi {output}")
        else:
            sys.stdout.flush()
            self.stdout.write(data.decode(), ending="")

    def _build(self, unit_text, period_code, structure, username):
        period = Period.parse(period_code)
        user = None
        if username:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise UserFacingError(f"Không có người dùng “{username}”.")
        version = (
            selectors.version_get(code=structure)
            if structure
            else selectors.version_default(period=period)
        )
        if unit_text.strip().lower() in NATION:
            if user is not None and not user.is_superuser:
                raise UserFacingError("Chỉ quản trị hệ thống xem được báo cáo toàn quốc.")
            return selectors.report_build(user=user, unit=None, period=period, version=version)
        unit = selectors.unit_resolve(user=user, text=unit_text, version=version)
        return selectors.report_build(user=user, unit=unit, period=period, version=version)
