"""Receipt and payment vouchers (phiếu thu / phiếu chi): printable HTML context and DOCX."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from mattran.core.vietnamese import format_date_decree30, format_money, money_in_words

from .models import LedgerEntry, VoucherSeries


def voucher_context(entry: LedgerEntry) -> dict[str, Any]:
    receipt = entry.voucher_series == VoucherSeries.RECEIPT
    unit = entry.fund.unit
    return {
        "entry": entry,
        "title": "PHIẾU THU" if receipt else "PHIẾU CHI",
        # The Ministry of Finance forms for administrative units (Circular 107/2017/TT-BTC).
        "form_no": "C40-BB" if receipt else "C41-BB",
        "book": entry.booked_on.year,
        "code": entry.voucher_code,
        "committee": f"Ủy ban MTTQ Việt Nam {unit.name}",
        "parent": f"Ủy ban MTTQ Việt Nam {unit.parent.name}" if unit.parent_id else "",
        "fund": entry.fund.name,
        "date_line": format_date_decree30(entry.booked_on).capitalize(),
        "party_label": "Họ và tên người nộp tiền" if receipt else "Họ và tên người nhận tiền",
        "party": entry.party_name or "(không ghi tên)",
        "reason_label": "Lý do nộp" if receipt else "Lý do chi",
        "reason": entry.memo or (entry.get_purpose_display() if entry.purpose else ""),
        "purpose": entry.get_purpose_display() if entry.purpose else "",
        "quantity": entry.quantity,
        "beneficiaries": entry.beneficiaries,
        "amount": format_money(entry.amount),
        "words": money_in_words(entry.amount, capitalize=True),
        "signatures": (
            ["Chủ tịch", "Kế toán", "Người nộp tiền", "Người lập phiếu", "Thủ quỹ"]
            if receipt
            else ["Chủ tịch", "Kế toán", "Thủ quỹ", "Người lập phiếu", "Người nhận tiền"]
        ),
        "reference": entry.reference,
        "account": str(entry.account) if entry.account_id else "",
    }


def voucher_docx(entry: LedgerEntry) -> bytes:
    """The voucher as a Word document (A5 landscape-friendly margins)."""
    ctx = voucher_context(entry)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(14.8)  # A5 landscape
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.2))
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    head = doc.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.text = f"{ctx['parent']}\n{ctx['committee']}".strip()
    right.text = f"Số: {ctx['code']}\n{ctx['fund']}"
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(ctx["title"])
    run.bold = True
    run.font.size = Pt(16)
    date = doc.add_paragraph(ctx["date_line"])
    date.alignment = WD_ALIGN_PARAGRAPH.CENTER
    date.runs[0].italic = True
    rows = [
        (ctx["party_label"], ctx["party"]),
        (ctx["reason_label"], ctx["reason"]),
    ]
    if ctx["purpose"]:
        rows.append(("Mục đích chi", ctx["purpose"]))
    if ctx["quantity"]:
        rows.append(("Số lượng", str(ctx["quantity"])))
    if ctx["beneficiaries"]:
        rows.append(("Người / hộ được hỗ trợ", ctx["beneficiaries"]))
    rows += [("Số tiền", ctx["amount"]), ("Viết bằng chữ", ctx["words"])]
    if ctx["reference"]:
        rows.append(("Kèm theo chứng từ gốc", ctx["reference"]))
    for label, value in rows:
        p = doc.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)
    sign = doc.add_table(rows=2, cols=len(ctx["signatures"]))
    for i, who in enumerate(ctx["signatures"]):
        cell = sign.rows[0].cells[i]
        cell.text = who
        cell.paragraphs[0].runs[0].bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        note = sign.rows[1].cells[i]
        note.text = "(Ký, họ tên)"
        note.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
