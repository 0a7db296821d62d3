"""An approved report stays as approved (issue 10 item 5): an indicator or a sentence added
to the template later, and money booked later, do not change what the page shows as the
approved report; what is new is marked, what differs is listed."""

import datetime as dt
import io
import json
import re

from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from mattran.core.periods import Period
from mattran.funds import services as funds
from mattran.funds.models import FundKind
from mattran.reports import services
from mattran.reports.models import Indicator, ReportItem, ReportSection
from mattran.reports.selectors import report_build

PERIOD = Period.parse("2023-9M")


def _cell(page: str, code: str) -> str:
    found = re.search(rf'data-testid="total-{code}">([^<]*)<', page)
    assert found, f"no row for {code}"
    return found.group(1)


def _narrative(page: str) -> str:
    return page.split('data-testid="narrative"', 1)[1].split("</div>", 1)[0]


def test_the_page_of_an_approved_report_shows_what_was_approved(client, records, people):
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
    approved = sub.figures["figures"]
    url = reverse("reports:report", args=[ward.pk, PERIOD.code])
    client.force_login(people["viewer_a"])
    before = client.get(url).content.decode()
    assert 'data-testid="approved-figures"' in before
    narrative_before = _narrative(before)
    assert "4.000.000 đồng" in narrative_before

    # After the approval: money booked into the period, a new indicator with a table row
    # and a sentence, and an existing sentence reworded.
    funds.receipt_create(
        actor=None, fund=fund, amount=1_500_000, booked_on=dt.date(2023, 5, 2), party_name="Bà B"
    )
    new = Indicator.objects.create(
        code="tuyen_truyen_toa_dam",
        name="Tuyên truyền và tọa đàm",
        figure_key="activities.count(types=tuyen_truyen|toa_dam)",
        unit_label="cuộc",
        order=999,
    )
    section = ReportSection.objects.get(heading="Công tác tuyên truyền, vận động")
    ReportItem.objects.create(
        section=section, order=50, indicator=new, sentence="Cộng {tuyen_truyen_toa_dam} cuộc."
    )
    line = ReportItem.objects.get(section=section, indicator__code="tuyen_truyen")
    line.sentence = "Tổ chức {tuyen_truyen} buổi tuyên truyền (câu sửa sau khi duyệt)."
    line.save()

    page = client.get(url).content.decode()
    # the narrative is the approved one, word for word
    assert _narrative(page) == narrative_before
    assert "câu sửa sau khi duyệt" not in page and "Cộng " not in _narrative(page)
    # the table keeps the approved figures; the live one is listed as a change
    code = "quy_vi_nguoi_ngheo_van_dong"
    assert _cell(page, code) == approved[code]["text"] == _cell(before, code)
    assert 'data-testid="changes-since-approval"' in page
    assert "hiện nay 5.500.000" in page
    for code in ("tuyen_truyen", "tuyen_truyen_luot"):
        assert _cell(page, code) == approved[code]["text"]
    # the indicator added later is there, marked new, with its live value
    assert 'data-testid="new-tuyen_truyen_toa_dam"' in page
    live = report_build(user=people["viewer_a"], unit=ward, period=PERIOD)
    assert _cell(page, "tuyen_truyen_toa_dam") == live.figures["tuyen_truyen_toa_dam"].total_text
    assert live.figures["tuyen_truyen_toa_dam"].is_new
    # the chart by unit draws the approved values too
    chart = json.loads(
        page.split('id="chart-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    )
    drawn = next(d for d in chart["datasets"] if d["label"] == "Số cuộc tuyên truyền")
    by_unit = approved["tuyen_truyen"]["by_unit"]
    assert drawn["data"] == [by_unit[label] for label in chart["labels"]]
    # the DOCX of the approved report says the same as the page
    docx = Document(io.BytesIO(client.get(url + "bao-cao.docx").content))
    text = "\n".join(p.text for p in docx.paragraphs).replace("\u00a0", " ")  # unbroken money
    assert "câu sửa sau khi duyệt" not in text and "Cộng " not in text
    assert "4.000.000 đồng" in text
    cells = {c.text.replace("\u00a0", " ") for t in docx.tables for r in t.rows for c in r.cells}
    assert approved["quy_vi_nguoi_ngheo_van_dong"]["text"] in cells
    # and so does the XLSX (figures, text)
    wb = load_workbook(io.BytesIO(client.get(url + "bao-cao.xlsx").content))
    summary = {r[0]: r[2] for r in wb["Tổng hợp"].iter_rows(min_row=4, values_only=True)}
    assert (
        summary["Vận động Quỹ “Vì người nghèo”"] == approved["quy_vi_nguoi_ngheo_van_dong"]["value"]
    )
    assert approved["quy_vi_nguoi_ngheo_van_dong"]["value"] == 4_000_000
    words = " ".join(str(r[0]) for r in wb["Nội dung"].iter_rows(values_only=True))
    assert "câu sửa sau khi duyệt" not in words and "4.000.000 đồng" in words
    # the stored approval did not move
    sub.refresh_from_db()
    assert sub.figures["figures"] == approved and "tuyen_truyen_toa_dam" not in approved

    # reopened, the page is live again: the new sentence and the new figures
    services.submission_reopen(actor=people["approver_a"], submission=sub, reason="Sửa số liệu")
    page = client.get(url).content.decode()
    assert 'data-testid="approved-figures"' not in page
    assert "câu sửa sau khi duyệt" in page
    assert "5.500.000 đồng" in _narrative(page)


def test_an_approved_rate_is_drawn_as_its_percentage():
    from mattran.reports.figures import Rate, StoredRate
    from mattran.reports.views import _chart_value

    assert _chart_value(StoredRate("93,5%")) == 93.5 and _chart_value(StoredRate("100,0%")) == 100
    assert _chart_value(StoredRate("—")) is None and _chart_value(None) is None
    assert _chart_value(7) == 7 and _chart_value(Rate(1, 3)) == 33.3
