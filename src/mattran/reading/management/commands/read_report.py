"""`mattran read-report FILE [--unit UNIT] [--period PERIOD] [--format text|json]`.

Reads a report (.docx, .doc, .pdf, .txt, or "-" for standard input), finds
its figures and checks them. With --unit and --period it also compares them
with the system's figures and last year's, and lists what could be recorded;
it never writes anything (recording goes through the review page).
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mattran.core.errors import UserFacingError
from mattran.core.periods import Period
from mattran.core.vietnamese import format_number
from mattran.reading import extract, selectors


class Command(BaseCommand):
    help = "Đọc một báo cáo cũ (.docx, .doc, .pdf, .txt), tìm và kiểm tra các số liệu."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp báo cáo, hoặc - để đọc từ đầu vào chuẩn")
        parser.add_argument("--unit", help="Tên hoặc mã đơn vị trong hệ thống")
        parser.add_argument("--period", help="Kỳ báo cáo: 2023, 2023-H1, 2023-9M…")
        parser.add_argument("--structure", help="Mã phiên bản địa giới (mặc định theo kỳ)")
        parser.add_argument("--format", choices=["text", "json"], default="text", dest="fmt")
        parser.add_argument(
            "--jump", default="2", help="Ngưỡng tăng/giảm so với năm trước (lần), mặc định 2"
        )

    def handle(self, *args, file, unit, period, structure, fmt, jump, **options):
        try:
            analysis = self._analyse(file, unit, period, structure, jump)
        except UserFacingError as exc:
            raise CommandError(exc.message) from exc
        if fmt == "json":
            self.stdout.write(json.dumps(analysis.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_text(analysis), ending="")

    def _analyse(self, file, unit_text, period_code, structure, jump):
        if file == "-":
            extracted = extract.from_text(sys.stdin.read(), source="paste")
        else:
            path = Path(file)
            if not path.is_file():
                raise UserFacingError(f"Không tìm thấy tệp “{file}”.")
            extracted = extract.extract(name=path.name, data=path.read_bytes())
        try:
            threshold = Decimal(jump)
        except InvalidOperation as exc:
            raise UserFacingError(f"Ngưỡng “{jump}” không phải là số.") from exc
        if threshold <= 1:
            raise UserFacingError("Ngưỡng tăng/giảm phải lớn hơn 1 (ví dụ 2 là gấp đôi).")
        unit = period = None
        if bool(unit_text) != bool(period_code):
            raise UserFacingError("Cần ghi cả --unit và --period (hoặc bỏ cả hai).")
        if unit_text:
            from mattran.reports.selectors import unit_resolve, version_default, version_get

            try:
                period = Period.parse(period_code)
            except ValueError as exc:
                raise UserFacingError(f"Kỳ “{period_code}” không hợp lệ.") from exc
            version = version_get(code=structure) if structure else version_default(period=period)
            unit = unit_resolve(user=None, text=unit_text, version=version)
        return selectors.analyse(extracted=extracted, unit=unit, period=period, jump=threshold)


def _value(f) -> str:
    if f.kind == "rate":
        return f"{str(f.value).replace('.', ',')}%"
    suffix = " đồng" if f.kind == "money" else f" {f.unit_label}".rstrip()
    return format_number(int(f.value)) + suffix


def render_text(analysis: selectors.Analysis) -> str:
    ex = analysis.extracted
    lines = [f"Nguồn: {ex.source}; bảng mã: {ex.encoding} ({ex.note})"]
    if analysis.unit is not None:
        lines.append(f"Đơn vị: {analysis.unit.name}; kỳ: {analysis.period.label}")
    else:
        lines.append("Không ghi đơn vị và kỳ: chỉ đọc và kiểm tra, không đề xuất ghi số liệu.")
    lines.append("")
    lines.append(f"SỐ LIỆU ({len(analysis.reading.figures)})")
    for f in analysis.reading.figures:
        approx = f" [{f.direction}]" if not f.exact else ""
        lines.append(
            f"- {_value(f)}{approx} — {f.key or '?'} ({f.key_name}); {f.unit_text}; "
            f"mẫu {f.pattern}/{f.key_rule or '-'}; “{f.text}”"
        )
    if analysis.reading.lists:
        lines.append("")
        lines.append("DANH SÁCH (không phải số liệu)")
        for lf in analysis.reading.lists:
            lines.append(f"- {lf.count} {lf.noun}: {len(lf.items)} ý")
            for i, item in enumerate(lf.items, 1):
                lines.append(f"    {i}. {item[:100]}")
    lines.append("")
    lines.append(f"CẢNH BÁO ({len(analysis.warnings)})")
    for w in analysis.warnings:
        lines.append(f"- [{w.severity}] {w.message}")
        lines.append(f"    Câu: “{w.sentence[:200]}”")
    if analysis.unit is not None:
        lines.append("")
        lines.append(
            f"ĐỀ XUẤT GHI VÀO LỊCH SỬ ({len(analysis.proposals)}; "
            "chỉ ghi khi xác nhận trên trang duyệt)"
        )
        for f in analysis.proposals:
            lines.append(f"- {f.key}: {format_number(int(f.value))}")
    return "\n".join(lines) + "\n"
