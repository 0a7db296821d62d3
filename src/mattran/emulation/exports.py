"""The scoring table as XLSX (openpyxl) and DOCX (python-docx).

The DOCX follows the presentation rules of Decree 30/2020 as the Front applies
them (Hướng dẫn 91/HD-MTTW-BTT on document format in the Front system): A4,
Times New Roman, left margin 30 mm; the issuing committee top left
("ỦY BAN MTTQ VIỆT NAM" / "QUẬN THANH XUÂN"), the national motto top right,
the italic place-and-date line ("Thanh Xuân, ngày 05 tháng 01 năm 2024"), the
title, the table, the signature block and "Nơi nhận". The table is wide, so the
page is landscape.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from mattran.core.vietnamese import format_date_decree30

from .scoring import format_points
from .wording import header_lines, place_name

UNSAFE_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """A cell of user text never starts a formula."""
    text = str(value or "")
    return "'" + text if text.startswith(UNSAFE_PREFIXES) else text


def _number(value: Decimal | None):
    return None if value is None else float(value)


def _state_line(table) -> str:
    pledge = table.pledge
    if pledge.is_locked and pledge.locked_at:
        from django.utils import timezone

        return f"(Kết quả chính thức, khóa ngày {timezone.localtime(pledge.locked_at):%d/%m/%Y})"
    return "(Kết quả tạm thời: điểm thẩm định nếu đã thẩm định, nếu chưa thì điểm tự chấm)"


TIE_NOTE = (
    "Các đơn vị bằng tổng điểm được xếp đồng hạng; hạng kế tiếp bỏ qua số suất tương ứng "
    "(ví dụ 1, 2, 2, 4)."
)


def _rank_text(row) -> str:
    if row.rank is None:
        return "—"
    return f"{row.rank} (đồng hạng)" if row.tied else str(row.rank)


# ------------------------------------------------------------------------------- XLSX


def ranking_xlsx(table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    pledge = table.pledge
    wb = Workbook()
    ws = wb.active
    ws.title = "Xếp hạng"
    n_cols = 3 + len(table.criteria)
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    line1, line2 = header_lines(pledge.unit)
    ws.append([line1])
    ws.append([line2])
    ws["A2"].font = bold
    ws.append([])
    ws.append([f"BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM {pledge.year}"])
    ws.append([safe_text(pledge.title)])
    ws.append([_state_line(table)])
    for r in (4, 5):
        ws.cell(row=r, column=1).font = Font(bold=True, size=13 if r == 4 else 11)
    for r in (4, 5, 6):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n_cols)
        ws.cell(row=r, column=1).alignment = Alignment(horizontal="center", wrap_text=True)
    ws.append([])
    header = [
        "Hạng",
        "Đơn vị",
        *[f"{c.code} ({format_points(c.points)}đ)" for c in table.criteria],
        "Tổng điểm",
    ]
    ws.append(header)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = bold
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in table.rows:
        ws.append(
            [
                _rank_text(row),
                safe_text(row.unit.name),
                *[_number(p) for p in row.points],
                _number(row.total),
            ]
        )
        for cell in ws[ws.max_row]:
            cell.border = border
            if isinstance(cell.value, float):
                cell.number_format = "0.##"
    ws.append([])
    ws.append([TIE_NOTE])
    ws.append(["Dấu * trên bản DOCX và trang web: điểm được cấp trên điều chỉnh khi thẩm định."])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 30
    for i in range(3, n_cols + 1):
        ws.column_dimensions[get_column_letter(i)].width = 12
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)

    legend = wb.create_sheet("Tiêu chí")
    legend.append(["Ký hiệu", "Tiêu chí", "Nội dung", "Loại", "Điểm chuẩn", "Thưởng", "Trừ"])
    for cell in legend[1]:
        cell.font = bold
    for c in table.criteria:
        legend.append(
            [
                safe_text(c.code),
                safe_text(c.short_name),
                safe_text(c.text),
                c.get_kind_display(),
                _number(c.points),
                _number(c.bonus_points),
                _number(c.penalty_points),
            ]
        )
    legend.column_dimensions["B"].width = 36
    legend.column_dimensions["C"].width = 90
    legend.column_dimensions["D"].width = 40
    for row in legend.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------- DOCX


def _set_font(run, *, size: float | None = None, bold=None, italic=None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Times New Roman")
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic


def _para(
    container, text: str = "", *, size=13, bold=False, italic=False, align=None, space_after=0
):
    from docx.shared import Pt

    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if text:
        _set_font(p.add_run(text), size=size, bold=bold, italic=italic)
    return p


def _no_borders(table) -> None:
    from docx.oxml.ns import qn

    tbl_pr = table._element.tblPr
    borders = tbl_pr.makeelement(qn("w:tblBorders"), {})
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = borders.makeelement(qn(f"w:{edge}"), {qn("w:val"): "nil"})
        borders.append(el)
    tbl_pr.append(borders)


def _repeat_header(row) -> None:
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = tr_pr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    tr_pr.append(el)


def ranking_docx(table, *, on: dt.date, signer_name: str = "") -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    pledge = table.pledge
    unit = pledge.unit
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)

    center = WD_ALIGN_PARAGRAPH.CENTER
    line1, line2 = header_lines(unit)
    head = doc.add_table(rows=1, cols=2)
    _no_borders(head)
    left, right = head.rows[0].cells
    left.paragraphs[0].alignment = center
    _set_font(left.paragraphs[0].add_run(line1), size=13)
    _para(left, line2, bold=True, align=center)
    _para(left, "———", align=center)
    right.paragraphs[0].alignment = center
    _set_font(right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), size=13, bold=True)
    _para(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True, align=center)
    _para(right, "———————————", align=center)
    _para(
        right,
        f"{place_name(unit)}, {format_date_decree30(on)}",
        size=14,
        italic=True,
        align=center,
        space_after=6,
    )

    _para(doc, "")
    _para(
        doc,
        f"BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM {pledge.year}",
        size=14,
        bold=True,
        align=center,
    )
    _para(doc, pledge.title, size=13, bold=True, align=center)
    _para(doc, _state_line(table), size=13, italic=True, align=center, space_after=6)

    cols = 3 + len(table.criteria)
    grid = doc.add_table(rows=1, cols=cols)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = ["Hạng", "Đơn vị", *[c.code for c in table.criteria], "Tổng điểm"]
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.paragraphs[0].alignment = center
        _set_font(cell.paragraphs[0].add_run(text), size=12, bold=True)
    _repeat_header(grid.rows[0])
    points_row = grid.add_row().cells
    _set_font(points_row[1].paragraphs[0].add_run("Điểm chuẩn"), size=11, italic=True)
    for i, c in enumerate(table.criteria, start=2):
        points_row[i].paragraphs[0].alignment = center
        _set_font(
            points_row[i].paragraphs[0].add_run(format_points(c.points)), size=11, italic=True
        )
    points_row[-1].paragraphs[0].alignment = center
    _set_font(
        points_row[-1].paragraphs[0].add_run(format_points(pledge.scale_points)),
        size=11,
        italic=True,
    )
    for row in table.rows:
        cells = grid.add_row().cells
        values = [
            _rank_text(row),
            row.unit.name,
            *[
                format_points(p) + ("*" if changed else "")
                for p, changed in zip(row.points, row.changed, strict=True)
            ],
            format_points(row.total),
        ]
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.paragraphs[0].alignment = center if i != 1 else None
            _set_font(cell.paragraphs[0].add_run(text), size=12, bold=(i == len(values) - 1))
    # Fixed column widths (LibreOffice and Word both honour tblGrid + tcW with autofit off).
    usable = 297 - 30 - 15
    crit_w = max(14, (usable - 24 - 50 - 24) // max(1, len(table.criteria)))
    widths = [Mm(24), Mm(50)] + [Mm(crit_w)] * len(table.criteria) + [Mm(24)]
    grid.autofit = False
    for column, w in zip(grid.columns, widths, strict=True):
        column.width = w
    for r in grid.rows:
        for cell, w in zip(r.cells, widths, strict=True):
            cell.width = w

    _para(doc, "", space_after=0)
    _para(doc, "Ghi chú:", size=12, bold=True)
    for c in table.criteria:
        _para(doc, f"- {c.code}: {c.short_name} ({format_points(c.points)} điểm).", size=12)
    _para(doc, f"- {TIE_NOTE}", size=12)
    _para(
        doc, "- Dấu *: điểm được Ban Thường trực điều chỉnh khi thẩm định, có ghi lý do.", size=12
    )

    sign = doc.add_table(rows=1, cols=2)
    _no_borders(sign)
    recv, signer = sign.rows[0].cells
    _set_font(recv.paragraphs[0].add_run("Nơi nhận:"), size=12, bold=True, italic=True)
    _para(recv, "- Ủy ban MTTQ Việt Nam các đơn vị tham gia giao ước;", size=11)
    _para(recv, "- Lưu VT.", size=11)
    signer.paragraphs[0].alignment = center
    _set_font(signer.paragraphs[0].add_run("TM. BAN THƯỜNG TRỰC"), size=13, bold=True)
    _para(signer, "CHỦ TỊCH", size=13, bold=True, align=center)
    for _ in range(3):
        _para(signer, "")
    _para(signer, signer_name, size=13, bold=True, align=center)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
