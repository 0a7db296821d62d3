"""The report as a DOCX laid out per Decree 30/2020/NĐ-CP (Appendix I).

A4 portrait; margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New
Roman, 14 pt body and 13 pt header block. Header: the issuing body on the left
("ỦY BAN MTTQ VIỆT NAM" / "QUẬN ĐỐNG ĐA", bold upper case, a short rule below)
with the number "Số: .../BC-MTTQ-BTT"; the national motto on the right with the
italic place-and-date line. Then the title, the body, the figures with the
chart by child unit, and the signature block beside "Nơi nhận:".
"""

from __future__ import annotations

import datetime as dt
import io
import re
from copy import deepcopy
from functools import cache

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.run import Run

from mattran.core.vietnamese import format_date_decree30

from ..narrative import strip_kind
from ..selectors import Report
from .chart import chart_png

FONT = "Times New Roman"
# A currency sign never starts a line alone: "2.000.000 đ" keeps "đ" with its number.
_CURRENCY = re.compile(r"(?<=\d) (đ|đồng)(?=$|[\s.,;:)])")


def _nowrap_currency(text: str) -> str:
    return _CURRENCY.sub("\u00a0\\1", text)


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def _font(run, size: float = 14, bold: bool = False, italic: bool = False) -> None:
    r = run._element
    if r.rPr is None:
        # A document sets thousands of runs to a handful of formats: copy the format
        # built once (below) instead of building it again through python-docx.
        r.insert(0, deepcopy(_run_format(size, bold, italic)))
    else:
        _set_font(run, size, bold, italic)


@cache
def _run_format(size: float, bold: bool, italic: bool):
    """The <w:rPr> that `_set_font` gives a new run (never modified: callers copy it)."""
    run = Run(OxmlElement("w:r"), None)
    _set_font(run, size, bold, italic)
    return run._element.rPr


def _set_font(run, size: float, bold: bool, italic: bool) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    # East-Asian fallback off: Vietnamese stays in Times New Roman everywhere.
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _para(
    container,
    text: str = "",
    *,
    size=14,
    bold=False,
    italic=False,
    align=None,
    indent_first: bool = False,
    after: float = 6,
    before: float = 0,
):
    p = container.add_paragraph()
    if text:
        _font(p.add_run(_nowrap_currency(text)), size, bold, italic)
    fmt = p.paragraph_format
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(before)
    if align is not None:
        p.alignment = align
    if indent_first:
        fmt.first_line_indent = Cm(1)
    return p


def _rule(container, *, box_cm: float, line_cm: float) -> None:
    """A centred rule `line_cm` long: an empty paragraph with a bottom border, indented."""
    p = container.add_paragraph()
    side = Cm(max(0.0, (box_cm - line_cm) / 2))
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    p.paragraph_format.space_after = Pt(4)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.line_spacing = Pt(2)
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _page_number_header(section) -> None:
    """Page numbers centred at the top from page 2 (Decree 30, Appendix I)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _font(run, 13)
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)


def _widths(table, widths: list) -> None:
    """Fixed column widths (Word and LibreOffice both honour the grid and the cells)."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _cell_text(cell, text: str, *, size=13, bold=False, italic=False, align=None) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    _font(p.add_run(_nowrap_currency(text)), size, bold, italic)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(0)


def _repeat_header(table) -> None:
    """The table's first row repeats at the top of each page it runs onto."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
    cant_split = OxmlElement("w:cantSplit")
    tr_pr.append(cant_split)


def document_date_default(report: Report, today: dt.date | None = None) -> dt.date:
    """The last day of the period, or today if the period has not ended yet."""
    today = today or dt.date.today()  # noqa: DTZ011 - a calendar date
    return min(report.period.end, today)


def report_docx(
    report: Report,
    *,
    document_date: dt.date | None = None,
    signer_name: str = "",
    directions: str = "",
) -> bytes:
    """The report as DOCX; `directions` (one item per line) adds the part
    "Phương hướng, nhiệm vụ" for the next period."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    _page_number_header(section)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)

    unit = report.unit
    issuer = (unit.name if unit else "Việt Nam").upper()
    place = strip_kind(unit.name, unit.kind) if unit else "Hà Nội"
    day = document_date or document_date_default(report)

    # Header block: issuing body (left) and national motto (right).
    head = doc.add_table(rows=1, cols=2)
    _no_borders(head)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    _widths(head, [Cm(6.5), Cm(10)])
    # Decree 30: the governing body in plain capitals, the issuing body (the
    # standing committee) in bold capitals under it, then a short rule.
    _cell_text(left, "ỦY BAN MTTQ VIỆT NAM", size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    p = left.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(issuer), 13)
    p.paragraph_format.space_after = Pt(0)
    p = left.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("BAN THƯỜNG TRỰC"), 13, bold=True)
    p.paragraph_format.space_after = Pt(0)
    _rule(left, box_cm=6.5, line_cm=2.5)
    p = left.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(f"Số: .../{report.template.number_suffix}"), 13)
    _cell_text(
        right,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        size=13,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("Độc lập - Tự do - Hạnh phúc"), 14, bold=True)
    p.paragraph_format.space_after = Pt(0)
    _rule(right, box_cm=10, line_cm=5.5)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(f"{place}, {format_date_decree30(day)}"), 14, italic=True)

    # Title.
    _para(doc, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=18, after=0)
    title = report.title
    _para(doc, title[0].upper() + title[1:], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _rule(doc, box_cm=16.5, line_cm=3)
    _para(doc, "", after=6)

    # Body: one numbered part per section that has something to say (an approved report:
    # the text and figures that were approved, `selectors.report_as_approved`).
    said = report.shown_sections
    _para(doc, "I. KẾT QUẢ THỰC HIỆN", bold=True, after=6)
    for i, (heading, paragraph) in enumerate(said, start=1):
        _para(doc, f"{i}. {heading}", bold=True, after=3, indent_first=True)
        p = _para(doc, paragraph, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_first=True)
        p.paragraph_format.line_spacing = 1.15
    if not said:
        _para(doc, "Trong kỳ chưa có số liệu.", italic=True, indent_first=True)

    # Figures beside the same period of the previous year.
    _para(doc, "II. SỐ LIỆU", bold=True, before=6, after=6)
    # An approved report's document is the one approved: an indicator added later is not in it.
    figs = [f for f in report.table_figures if not f.is_new]
    table = doc.add_table(rows=1 + len(figs), cols=4)
    table.style = "Table Grid"
    header = [
        "Chỉ tiêu",
        "ĐVT",
        report.period.label.capitalize(),
        f"Cùng kỳ {report.previous.start.year}",
    ]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(table)
    for row, f in zip(table.rows[1:], figs, strict=True):
        values = [f.indicator.name, f.indicator.unit_label, f.total_text, f.previous_text]
        for i, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            _cell_text(cell, text, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT if i >= 2 else None)
    _widths(table, [Cm(8), Cm(2.6), Cm(3), Cm(2.9)])

    png = chart_png(report)
    if png:
        _para(
            doc,
            f"Một số chỉ tiêu theo {report.words.get('child.kind_lower') or 'đơn vị'}",
            bold=True,
            italic=True,
            before=12,
            after=3,
            size=13,
        )
        doc.add_picture(io.BytesIO(png), width=Cm(16))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        chart_figs = [f for f in report.chart_figures if f.available and not f.is_new]
        by_unit = doc.add_table(rows=2 + len(report.child_rows), cols=1 + len(chart_figs))
        by_unit.style = "Table Grid"
        rest = (Cm(16.5) - Cm(5.5)) // max(1, len(chart_figs))
        _widths(by_unit, [Cm(5.5)] + [rest] * len(chart_figs))
        _cell_text(by_unit.cell(0, 0), "Đơn vị", size=11, bold=True)
        _repeat_header(by_unit)
        for j, f in enumerate(chart_figs, start=1):
            _cell_text(
                by_unit.cell(0, j),
                f.indicator.label,
                size=11,
                bold=True,
                align=WD_ALIGN_PARAGRAPH.CENTER,
            )
        for i, r in enumerate(report.child_rows, start=1):
            _cell_text(by_unit.cell(i, 0), r.label, size=11)
            for j, f in enumerate(chart_figs, start=1):
                _cell_text(
                    by_unit.cell(i, j),
                    f.text(f.cell(0, r.bucket)),
                    size=11,
                    align=WD_ALIGN_PARAGRAPH.RIGHT,
                )
        last = len(report.child_rows) + 1
        _cell_text(by_unit.cell(last, 0), "Tổng cộng", size=11, bold=True)
        for j, f in enumerate(chart_figs, start=1):
            _cell_text(
                by_unit.cell(last, j),
                f.total_text,
                size=11,
                bold=True,
                align=WD_ALIGN_PARAGRAPH.RIGHT,
            )

    items = [line.strip(" -•\t") for line in directions.splitlines() if line.strip(" -•\t")]
    if items:
        _para(doc, "III. PHƯƠNG HƯỚNG, NHIỆM VỤ", bold=True, before=12, after=6)
        for item in items:
            p = _para(doc, f"- {item}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_first=True)
            p.paragraph_format.line_spacing = 1.15

    if report.failures:
        _para(doc, "Lưu ý về số liệu:", bold=True, italic=True, before=6, size=13)
        for f in report.failures:
            _para(doc, f"- {f.message}", size=13, after=0)

    # Signature block beside "Nơi nhận".
    _para(doc, "", after=6)
    sign = doc.add_table(rows=1, cols=2)
    _no_borders(sign)
    recv, signer = sign.rows[0].cells
    _widths(sign, [Cm(8), Cm(8.5)])
    _cell_text(recv, "Nơi nhận:", size=12, bold=True, italic=True)
    parent = report.words.get("parent.name", "")
    for line in report.template.recipients.splitlines():
        line = line.strip()
        if not line:
            continue
        text = (
            line.replace("{parent}", parent)
            .replace("{unit_kind}", report.words.get("unit.kind", ""))
            .replace("{party_committee}", report.words.get("unit.party_committee", ""))
        )
        p = recv.add_paragraph()
        _font(p.add_run(f"- {text}"), 11)
        p.paragraph_format.space_after = Pt(0)
    lines = report.template.signer_title.splitlines()
    _cell_text(
        signer, lines[0] if lines else "", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    for line in lines[1:]:
        p = signer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(line), 14, bold=True)
        p.paragraph_format.space_after = Pt(0)
    for _ in range(4):
        signer.add_paragraph()
    p = signer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(signer_name), 14, bold=True)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
