"""Every surface of an approved report gives the approved figures (issue 10 item 5).

One report (a ward's 9 months) is read through each surface: the page, the DOCX (page
and console), the XLSX, the console's text and JSON, and the API. Once approved, money
booked into the period later and an indicator added later change none of the approved
figures anywhere; the new indicator is marked (left out of the signed DOCX), and the
surfaces that list changes list the live money. A report that is not approved (submitted,
reopened) gives the live figures everywhere.
"""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from mattran.core.periods import Period
from mattran.funds import services as funds
from mattran.funds.models import Fund, FundKind
from mattran.reports import services
from mattran.reports.models import Indicator, ReportItem, ReportSection
from mattran.reports.selectors import report_build
from tests.api.conftest import token_client

PERIOD = Period.parse("2023-9M")
MONEY = "quy_vi_nguoi_ngheo_van_dong"
RATE = "ty_le_hoa_giai_thanh"
NEW = "tuyen_truyen_toa_dam"
NEW_NAME = "Tuyên truyền và tọa đàm"


def _unbroken(text: str) -> str:
    return text.replace("\u00a0", " ")


def read_page(ctx) -> dict:
    page = ctx["client"].get(ctx["url"]).content.decode()

    def cell(code):
        found = re.search(rf'data-testid="total-{code}">([^<]*)<', page)
        return found.group(1) if found else None

    narrative = page.split('data-testid="narrative"', 1)[1].split("</div>", 1)[0]
    return {
        "money": cell(MONEY),
        "rate": cell(RATE),
        "narrative": narrative,
        "new": cell(NEW),
        "new_marked": f'data-testid="new-{NEW}"' in page,
    }


def _read_docx(data: bytes) -> dict:
    doc = Document(io.BytesIO(data))
    # the table of figures: name, unit, this period, a year earlier
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Chỉ tiêu")
    rows = {_unbroken(r.cells[0].text): _unbroken(r.cells[2].text) for r in table.rows[1:]}
    name = Indicator.objects.get(code=MONEY).name
    rate = Indicator.objects.get(code=RATE).name
    return {
        "money": rows[name],
        "rate": rows[rate],
        "narrative": _unbroken("\n".join(p.text for p in doc.paragraphs)),
        "new": rows.get(NEW_NAME),
        "new_marked": False,
    }


def read_docx_page(ctx) -> dict:
    return _read_docx(ctx["client"].get(ctx["url"] + "bao-cao.docx").content)


def read_docx_cli(ctx) -> dict:
    path = ctx["tmp"] / "bao-cao.docx"
    call_command("report", ctx["ward"].code, PERIOD.code, "--format", "docx", "-o", str(path))
    return _read_docx(path.read_bytes())


def _read_xlsx(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    summary = {r[0]: r[2] for r in wb["Tổng hợp"].iter_rows(min_row=4, values_only=True) if r[0]}
    name = Indicator.objects.get(code=MONEY).name
    rate = Indicator.objects.get(code=RATE).name
    by_unit = list(wb["Theo đơn vị"].iter_rows(min_row=4, values_only=True))
    header, total = by_unit[0], by_unit[-1]
    label = Indicator.objects.get(code=MONEY).label
    money_col = next(i for i, h in enumerate(header) if h and h.startswith(label))
    new_key = next((k for k in summary if k.startswith(NEW_NAME)), None)
    return {
        "money": summary[name],
        "money_total_row": total[money_col],
        "rate": summary[rate],
        "narrative": " ".join(str(r[0]) for r in wb["Nội dung"].iter_rows(values_only=True)),
        "new": summary[new_key] if new_key else None,
        "new_marked": bool(new_key and "mới, sau khi duyệt" in new_key),
    }


def read_xlsx_page(ctx) -> dict:
    return _read_xlsx(ctx["client"].get(ctx["url"] + "bao-cao.xlsx").content)


def read_xlsx_cli(ctx) -> dict:
    path = ctx["tmp"] / "bao-cao.xlsx"
    call_command("report", ctx["ward"].code, PERIOD.code, "--format", "xlsx", "-o", str(path))
    return _read_xlsx(path.read_bytes())


def read_text_cli(ctx) -> dict:
    call_command("report", ctx["ward"].code, PERIOD.code)
    out = ctx["capsys"].readouterr().out
    rows = {}
    for line in out.splitlines():
        parts = re.split(r" {2,}", line.strip())
        if len(parts) >= 3:
            rows[parts[0]] = parts[1:]
    new = rows.get(NEW_NAME)
    return {
        "money": rows[Indicator.objects.get(code=MONEY).name][0],
        "rate": rows[Indicator.objects.get(code=RATE).name][0],
        "narrative": out.split("\nSỐ LIỆU (", 1)[0],
        "new": new[0] if new else None,
        "new_marked": bool(new and "(mới, sau khi duyệt)" in new),
        "changes": out.split("SỐ LIỆU ĐÃ THAY ĐỔI SAU KHI PHÊ DUYỆT", 1)[1:],
    }


def read_json_cli(ctx) -> dict:
    call_command("report", ctx["ward"].code, PERIOD.code, "--format", "json")
    data = json.loads(ctx["capsys"].readouterr().out)
    figs = data["figures"]
    approved = data.get("approved")
    return {
        "money": figs[MONEY]["text"],
        "money_value": figs[MONEY]["value"],
        "rate": figs[RATE]["text"],
        "narrative": " ".join(s["text"] for s in data["narrative"]),
        "new": figs[NEW]["text"] if NEW in figs else None,
        "new_marked": bool(approved and NEW in approved["new"]),
        "changes": approved["changes"] if approved else [],
    }


def read_api(ctx) -> dict:
    url = reverse("api:unit-figures", args=[ctx["ward"].pk])
    data = ctx["api"].get(url, {"period": PERIOD.code}).json()
    figs = {f["code"]: f for f in data["figures"]}
    approved = data["approved"]
    return {
        "money": figs[MONEY]["total"]["text"],
        "money_value": figs[MONEY]["total"]["value"],
        "rate": figs[RATE]["total"]["text"],
        "rate_parts": figs[RATE]["total"]["rate"],
        "narrative": " ".join(s["text"] for s in data["narrative"]),
        "new": figs[NEW]["total"]["text"] if NEW in figs else None,
        "new_marked": bool(NEW in figs and figs[NEW]["is_new"]),
        "changes": approved["changes"] if approved else [],
    }


SURFACES = {
    "page": read_page,
    "docx": read_docx_page,
    "docx-cli": read_docx_cli,
    "xlsx": read_xlsx_page,
    "xlsx-cli": read_xlsx_cli,
    "text-cli": read_text_cli,
    "json-cli": read_json_cli,
    "api": read_api,
}


@pytest.fixture
def approved_then_changed(client, records, people, tmp_path, capsys):
    """A ward's 9 months approved with 4.000.000 đồng raised; then 1.500.000 more booked
    into the period and an indicator (with a sentence) added."""
    ward = records["ward_a1"]
    fund = funds.fund_create(
        actor=None,
        unit=ward,
        name="Quỹ Vì người nghèo phường A1",
        kind=FundKind.POOR,
        opened_on=dt.date(2023, 1, 1),
    )
    funds.receipt_create(
        actor=None, fund=fund, amount=4_000_000, booked_on=dt.date(2023, 3, 1), party_name="Ông A"
    )
    sub = services.submission_submit(actor=people["editor_a1"], unit=ward, period=PERIOD)
    sub = services.submission_approve(actor=people["approver_a"], submission=sub)
    client.force_login(people["viewer_a"])
    ctx = {
        "client": client,
        "api": token_client(people["viewer_a"]),
        "url": reverse("reports:report", args=[ward.pk, PERIOD.code]),
        "ward": ward,
        "tmp": tmp_path,
        "capsys": capsys,
        "sub": sub,
        "people": people,
    }
    ctx["before"] = {name: read(ctx) for name, read in SURFACES.items()}
    funds.receipt_create(
        actor=None, fund=fund, amount=1_500_000, booked_on=dt.date(2023, 5, 2), party_name="Bà B"
    )
    new = Indicator.objects.create(
        code=NEW,
        name=NEW_NAME,
        figure_key="activities.count(types=tuyen_truyen|toa_dam)",
        unit_label="cuộc",
        order=999,
    )
    section = ReportSection.objects.get(heading="Công tác tuyên truyền, vận động")
    ReportItem.objects.create(
        section=section, order=50, indicator=new, sentence="Cộng {" + NEW + "} cuộc."
    )
    return ctx


def test_every_surface_of_an_approved_report_gives_the_approved_figures(approved_then_changed):
    ctx = approved_then_changed
    stored = ctx["sub"].figures["figures"]
    assert stored[MONEY]["value"] == 4_000_000 and stored[MONEY]["text"] == "4.000.000 đ"
    assert stored[RATE]["rates"]["value"] == [1, 2]  # a rate is stored whole
    live = report_build(user=None, unit=ctx["ward"], period=PERIOD).live
    assert live[MONEY].totals[0] == 5_500_000  # the ledger is not locked by an approval
    new_live = live[NEW].total_text
    for name, read in SURFACES.items():
        before, now = ctx["before"][name], read(ctx)
        # the approved figures and text, unchanged by what came later
        assert now["money"] in (stored[MONEY]["text"], 4_000_000), name
        assert now["money"] == before["money"], name
        assert now["rate"] == before["rate"], name
        assert now["rate"] in (stored[RATE]["text"], 0.5), name
        assert now.get("money_total_row", 4_000_000) == 4_000_000, name
        assert now.get("money_value", 4_000_000) == 4_000_000, name
        assert now["narrative"] == before["narrative"], name
        assert "4.000.000 đồng" in now["narrative"] and "5.500.000" not in now["narrative"], name
        assert "Cộng " not in now["narrative"], name
        # an indicator added later: marked new where shown; not in the signed document
        if name.startswith("docx"):
            assert now["new"] is None, name
        else:
            assert now["new_marked"] and now["new"] in (new_live, 2), name
        if "changes" in now:  # the formats that list what differs now say the live money
            assert "5.500.000" in str(now["changes"]), name
    api = read_api(ctx)
    assert api["rate_parts"] == {"numerator": 1, "denominator": 2, "percent": 50.0}
    ctx["sub"].refresh_from_db()
    assert ctx["sub"].figures["figures"] == stored  # the stored approval did not move


def test_a_report_not_approved_gives_live_figures_everywhere(approved_then_changed):
    ctx = approved_then_changed
    sub = services.submission_reopen(
        actor=ctx["people"]["approver_a"], submission=ctx["sub"], reason="Sửa số liệu"
    )
    live = report_build(user=None, unit=ctx["ward"], period=PERIOD)
    assert not live.approved and live.figures[MONEY].totals[0] == 5_500_000
    for name, read in SURFACES.items():
        now = read(ctx)
        assert now["money"] in ("5.500.000 đ", 5_500_000), name
        assert "5.500.000 đồng" in now["narrative"], name
        assert "Cộng 2 cuộc." in now["narrative"], name
        assert not now["new_marked"] and now["new"] in ("2", 2), name
        assert not now.get("changes"), name
    # submitted again (not yet approved, not frozen): still live, with what is booked next
    sub = services.submission_submit(
        actor=ctx["people"]["editor_a1"], unit=ctx["ward"], period=PERIOD
    )
    fund = Fund.objects.get(unit=sub.unit)
    funds.receipt_create(
        actor=None, fund=fund, amount=500_000, booked_on=dt.date(2023, 6, 1), party_name="Ông C"
    )
    for name, read in SURFACES.items():
        assert read(ctx)["money"] in ("6.000.000 đ", 6_000_000), name
