"""The report as XLSX: one row per child unit, every indicator a column, a total row (an
approved report: the approved figures and text, `selectors.report_as_approved`; an indicator
added after the approval is marked "mới, sau khi duyệt").

Totals are written as computed values, not formulas: a rate's total is not
the sum of the units' rates, and a distinct count is not a sum either. Any
text that comes from users (unit names, proposals) goes through `safe_cell`,
so nothing a user typed can start a formula.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from mattran.activities.importers import safe_cell

from ..figures import Figure, Rate, StoredRate
from ..models import ValueFormat
from ..selectors import Report

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="F2DCDB")
TOTAL = PatternFill("solid", fgColor="EEEEEE")
NEW = " (mới, sau khi duyệt)"  # an indicator added after the report was approved


def _value(fig: Figure, value):
    """(cell value, number format)."""
    if value is None:
        return None, None
    if isinstance(value, Rate):
        return (value.ratio, "0.0%") if value.denominator else (None, None)
    if isinstance(value, StoredRate):  # an approved rate, stored as printed ("93,5%")
        return (value.ratio, "0.0%") if value else (None, None)
    if fig.indicator.value_format == ValueFormat.MONEY:
        return value, '#,##0" đ"'
    return value, "#,##0"


def _put(ws, row: int, col: int, value, fmt=None, *, bold=False, fill=None):
    cell = ws.cell(row=row, column=col, value=safe_cell(value))
    cell.border = BOX
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = Font(bold=True)
    if fill:
        cell.fill = fill
    return cell


def report_xlsx(report: Report) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Theo đơn vị"
    figures = [f for f in report.table_figures if f.available]
    ws.cell(row=1, column=1, value=safe_cell(f"{report.title} – {report.unit_name}")).font = Font(
        bold=True, size=13
    )
    ws.cell(
        row=2,
        column=1,
        value=safe_cell(f"{report.version.name}; số liệu tính đến {report.period.end:%d/%m/%Y}"),
    )
    header_row = 4
    _put(ws, header_row, 1, "STT", bold=True, fill=HEAD)
    _put(ws, header_row, 2, "Đơn vị", bold=True, fill=HEAD)
    for j, f in enumerate(figures, start=3):
        label = f.indicator.label + (
            f" ({f.indicator.unit_label})" if f.indicator.unit_label else ""
        )
        if f.is_new:
            label += NEW
        cell = _put(ws, header_row, j, label, bold=True, fill=HEAD)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = 14
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 34
    ws.row_dimensions[header_row].height = 60
    row = header_row
    stt = 0
    for r in report.rows:
        row += 1
        if r.is_child:
            stt += 1
        _put(ws, row, 1, stt if r.is_child else None)
        _put(ws, row, 2, r.label)
        for j, f in enumerate(figures, start=3):
            value, fmt = _value(f, f.cell(0, r.bucket))
            _put(ws, row, j, value, fmt)
    row += 1
    _put(ws, row, 1, None, fill=TOTAL)
    _put(ws, row, 2, "Tổng cộng", bold=True, fill=TOTAL)
    for j, f in enumerate(figures, start=3):
        value, fmt = _value(f, f.totals.get(0))
        _put(ws, row, j, value, fmt, bold=True, fill=TOTAL)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)

    summary = wb.create_sheet("Tổng hợp")
    summary.append([safe_cell(report.title), None, None, None])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([])
    heads = ["Chỉ tiêu", "ĐVT", report.period.label, f"Cùng kỳ {report.previous.start.year}"]
    for j, h in enumerate(heads, start=1):
        _put(summary, 3, j, h, bold=True, fill=HEAD)
    for i, f in enumerate(report.table_figures, start=4):
        _put(summary, i, 1, f.indicator.name + (NEW if f.is_new else ""))
        _put(summary, i, 2, f.indicator.unit_label)
        for j, pidx in ((3, 0), (4, 1)):
            value, fmt = _value(f, f.totals.get(pidx))
            _put(summary, i, j, value if f.available else "—", fmt)
    summary.column_dimensions["A"].width = 60
    summary.column_dimensions["B"].width = 12
    summary.column_dimensions["C"].width = 22
    summary.column_dimensions["D"].width = 22

    text = wb.create_sheet("Nội dung")
    text.column_dimensions["A"].width = 120
    text.append([safe_cell(report.title)])
    for heading, paragraph in report.shown_sections:  # an approved report: as approved
        text.append([safe_cell(heading)])
        text.append([safe_cell(paragraph)])
        text.cell(row=text.max_row, column=1).alignment = Alignment(wrap_text=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
