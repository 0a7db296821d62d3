import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from mattran.activities import services as act
from mattran.activities.models import ActivityType
from mattran.figures.scope import SELF
from tests.factories import make_unit

from .conftest import record


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_ward_editor_cannot_see_another_wards_records(client, records, people):
    other = act.activity_record_create(
        actor=None,
        unit=records["ward_a2"],
        type=ActivityType.objects.get(code="toa_dam"),
        date=dt.date(2023, 5, 5),
        title="Của phường A2",
    )
    editor = people["editor_a1"]
    assert _get(client, editor, reverse("activities:detail", args=[other.pk])).status_code == 404
    assert _get(client, editor, reverse("activities:update", args=[other.pk])).status_code == 404
    url = reverse("activities:list", args=[records["ward_a2"].pk])
    assert _get(client, editor, url).status_code == 404
    url = reverse("reports:report", args=[records["district_a"].pk, "2023-9M"])
    assert _get(client, editor, url).status_code == 404
    # The district viewer sees it, and the drill-down lists it.
    viewer = people["viewer_a"]
    assert _get(client, viewer, reverse("activities:detail", args=[other.pk])).status_code == 200
    url = reverse("reports:drilldown", args=[records["district_a"].pk, "2023-9M", "toa_dam"])
    body = _get(client, viewer, url).content.decode()
    assert "Của phường A2" in body


def test_report_page_shows_figures_with_previous_year_and_links(client, records, people):
    url = reverse("reports:report", args=[records["district_a"].pk, "2023-9M"])
    body = _get(client, people["viewer_a"], url).content.decode()
    drill = reverse("reports:drilldown", args=[records["district_a"].pk, "2023-9M", "tuyen_truyen"])
    assert f'href="{drill}" data-testid="total-tuyen_truyen">3</a>' in body
    assert f'href="{drill}?ky=1">1</a>' in body  # the same period of 2022
    assert f'href="{drill}?o={SELF}">' in body  # the district's own level
    # every indicator row links to its own drill-down (links built once per page)
    for code in ("toa_dam", "tuyen_truyen"):
        link = reverse("reports:drilldown", args=[records["district_a"].pk, "2023-9M", code])
        assert f'href="{link}" data-testid="total-{code}">' in body
    assert "Phối hợp tổ chức 3 cuộc tuyên truyền với 150 lượt người tham dự" in body
    assert 'id="chart-data"' in body
    # Drill-down of one child unit's cell.
    body = _get(client, people["viewer_a"], drill + f"?o={records['ward_a1'].pk}").content.decode()
    assert 'data-testid="drilldown-count">2 bản ghi' in body


def _report_queries(client, user, unit):
    client.force_login(user)
    url = reverse("reports:report", args=[unit.pk, "2023-9M"])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_report_queries_do_not_grow_with_units_or_records(client, records, people):
    district = records["district_a"]
    before = _report_queries(client, people["viewer_a"], district)
    t = ActivityType.objects.get(code="tuyen_truyen")
    for i in range(15):
        ward = make_unit(f"Phường mới {i}", district, code=f"9119{i:02d}")
        area = make_unit(f"Tổ {i}", ward)
        for unit in (ward, area):
            act.activity_record_create(
                actor=None,
                unit=unit,
                type=t,
                date=dt.date(2023, 3, 1 + i),
                title="TT",
                attendance=10,
            )
            act.mediation_case_create(
                actor=None, unit=unit, received_on=dt.date(2023, 2, 1), title="Vụ việc"
            )
    after = _report_queries(client, people["viewer_a"], district)
    assert after == before
    # definitions, one UNION ALL roll-up, two lists, one grouped query per ledger source
    # (entries, transfers) for every fund figure and both periods, the funds open in the
    # periods (one query for all ledger sources), entered totals
    assert after <= 27


def test_completeness_shows_who_is_late(client, records, people):
    from mattran.core.periods import Period
    from mattran.reports.services import submission_submit

    submission_submit(
        actor=people["editor_a1"], unit=records["ward_a1"], period=Period.nine_months(2023)
    )
    url = reverse("reports:completeness", args=[records["district_a"].pk, "2023-9M"])
    body = _get(client, people["approver_a"], url).content.decode()
    assert "Đã nộp, chờ duyệt" in body and "Chưa nộp" in body
    assert "Trễ hạn" in body  # A2 never submitted; the 2023 deadline has passed


def test_approval_through_the_pages(client, records, people):
    ward = records["ward_a1"]
    base = f"/bao-cao/{ward.pk}/2023-9M/"
    client.force_login(people["editor_a1"])
    client.post(base + "nop/")
    client.force_login(people["approver_a"])
    client.post(base + "duyet/")
    page = client.get(base).content.decode()
    assert "Đã duyệt (khóa số liệu)" in page
    rec = record(ward, "toa_dam", dt.date(2023, 10, 5))
    client.force_login(people["editor_a1"])
    response = client.post(
        reverse("activities:update", args=[rec.pk]),
        {"type": rec.type_id, "date": "2023-05-05", "title": "Lùi ngày vào kỳ đã khóa"},
    )
    assert "đã được phê duyệt và khóa" in response.content.decode()


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_exports_open_and_contain_the_figures(client, records, people, fmt):
    url = reverse(f"reports:{fmt}", args=[records["district_a"].pk, "2023-9M"])
    client.force_login(people["viewer_a"])
    response = client.get(url + "?ngay=2023-09-14")
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "docx":
        from docx import Document

        doc = Document(io.BytesIO(data))
        text = "\n".join(p.text for p in doc.paragraphs)
        cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
        assert "Phối hợp tổ chức 3 cuộc tuyên truyền với 150 lượt người tham dự" in text
        assert "ỦY BAN MTTQ VIỆT NAM" in cells and "QUẬN A" in cells
        assert "A, ngày 14 tháng 9 năm 2023" in cells
        assert "Số: .../BC-MTTQ-BTT" in cells and "Nơi nhận:" in cells
        section = doc.sections[0]
        assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 30
        assert doc.styles["Normal"].font.name == "Times New Roman"
        assert doc.inline_shapes  # the chart by ward
    else:
        wb = load_workbook(io.BytesIO(data))
        ws = wb["Theo đơn vị"]
        rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
        names = [r[1] for r in rows]
        assert names[-1] == "Tổng cộng" and "Phường A1" in names and "Phường A2" in names
        header = [c.value for c in ws[4]]
        col = header.index("Tuyên truyền (cuộc)")
        assert rows[-1][col] == 3
        assert rows[names.index("Phường A1")][col] == 2


def test_xlsx_never_starts_a_cell_with_a_formula_from_user_text(records, people):
    from mattran.core.periods import Period
    from mattran.reports.exports.xlsx import report_xlsx
    from mattran.reports.selectors import report_build

    make_unit('=HYPERLINK("http://x")', records["district_a"])
    data = report_xlsx(
        report_build(user=None, unit=records["district_a"], period=Period.parse("2023-9M"))
    )
    ws = load_workbook(io.BytesIO(data))["Theo đơn vị"]
    values = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert '\'=HYPERLINK("http://x")' in values
    assert not any(v.startswith("=") for v in values)


def test_libreoffice_converts_the_exports_to_pdf(tmp_path, records):
    if not (shutil.which("soffice") and shutil.which("pdftotext")):
        pytest.fail(
            "Cần LibreOffice và pdftotext: apt-get install -y libreoffice-writer-nogui "
            "libreoffice-calc-nogui fonts-liberation2 poppler-utils"
        )
    from mattran.core.periods import Period
    from mattran.reports.exports.docx import report_docx
    from mattran.reports.exports.xlsx import report_xlsx
    from mattran.reports.selectors import report_build

    report = report_build(user=None, unit=records["district_a"], period=Period.parse("2023-9M"))
    (tmp_path / "doc.docx").write_bytes(report_docx(report, document_date=dt.date(2023, 9, 14)))
    (tmp_path / "sheet.xlsx").write_bytes(report_xlsx(report))
    texts = {}
    for name in ("doc.docx", "sheet.xlsx"):
        subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(tmp_path / name),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        pdf = tmp_path / (name.split(".")[0] + ".pdf")
        texts[name] = " ".join(
            subprocess.run(
                ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
            ).stdout.split()
        )
    assert "A, ngày 14 tháng 9 năm 2023" in texts["doc.docx"]
    assert "ỦY BAN MTTQ VIỆT NAM" in texts["doc.docx"]
    assert "150 lượt người tham dự" in texts["doc.docx"]
    assert "Phường A1" in texts["sheet.xlsx"] and "Tổng cộng" in texts["sheet.xlsx"]


def test_an_approved_report_says_which_figures_changed_after_the_approval(client, records, people):
    """Approval locks records, not the ledger: a receipt booked afterwards with a date
    in the period changes the live figure, and the page says so beside the approved one."""
    from mattran.funds import services as funds
    from mattran.funds.models import FundKind

    ward = records["ward_a1"]
    base = f"/bao-cao/{ward.pk}/2023-9M/"
    fund = funds.fund_create(
        actor=None,
        unit=ward,
        name="Quỹ Vì biển, đảo phường A1",
        kind=FundKind.SEA_ISLANDS,
        opened_on=dt.date(2023, 1, 1),
    )
    funds.receipt_create(
        actor=None, fund=fund, amount=5_000_000, booked_on=dt.date(2023, 3, 1), party_name="Ông A"
    )
    client.force_login(people["editor_a1"])
    client.post(base + "nop/")
    client.force_login(people["approver_a"])
    client.post(base + "duyet/")
    page = client.get(base).content.decode()
    assert "Đã duyệt (khóa số liệu)" in page
    assert 'data-testid="changes-since-approval"' not in page

    funds.receipt_create(
        actor=None, fund=fund, amount=1_250_000, booked_on=dt.date(2023, 5, 10), party_name="Bà B"
    )
    page = client.get(base).content.decode()
    assert 'data-testid="changes-since-approval"' in page
    assert "đã duyệt 5.000.000" in page and "hiện nay 6.250.000" in page


def test_docx_header_date_directions_repeated_headers_and_unbroken_currency(
    client, records, people
):
    from docx import Document

    from mattran.funds import services as funds
    from mattran.funds.models import FundKind

    # Money raised in the period: the amounts are printed "… đ".
    fund = funds.fund_create(
        actor=None,
        unit=records["district_a"],
        name="Quỹ Vì người nghèo quận A",
        kind=FundKind.POOR,
        opened_on=dt.date(2023, 1, 1),
    )
    funds.receipt_create(actor=None, fund=fund, amount=12_500_000, booked_on=dt.date(2023, 3, 1))
    url = reverse("reports:docx", args=[records["district_a"].pk, "2023-9M"])
    client.force_login(people["viewer_a"])

    def fetch(**query):
        response = client.get(url, query)
        data = b"".join(response.streaming_content) if response.streaming else response.content
        return Document(io.BytesIO(data))

    doc = fetch()  # no date chosen: the last day of the period (it ended long ago)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    header = cells[0].split("\n")
    assert header[:3] == ["ỦY BAN MTTQ VIỆT NAM", "QUẬN A", "BAN THƯỜNG TRỰC"]
    bold = [r.bold for p in doc.tables[0].rows[0].cells[0].paragraphs for r in p.runs if r.text]
    assert bold[:3] == [False, False, True]
    assert any("A, ngày 30 tháng 9 năm 2023" in c for c in cells)
    figures = doc.tables[1]
    assert figures.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # repeats on each page
    money = [c for c in cells if c.endswith("đ")]
    assert money and all("\u00a0đ" in c and " đ" not in c for c in money)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "PHƯƠNG HƯỚNG" not in text

    doc = fetch(ngay="2023-10-05", **{"phuong-huong": "Tổ chức Ngày hội Đại đoàn kết\n\n- Sơ kết"})
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any("A, ngày 05 tháng 10 năm 2023" in c for c in cells)
    assert "III. PHƯƠNG HƯỚNG, NHIỆM VỤ" in text
    assert "- Tổ chức Ngày hội Đại đoàn kết\n- Sơ kết" in text
