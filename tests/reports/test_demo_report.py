"""The demo reproduces the 9-month review of Quận Đống Đa (seed 003) from ward records."""

import io
import json

import pytest
from django.core.management import call_command

from mattran.core.periods import Period
from mattran.demo.loader import load_demo
from mattran.reports.selectors import report_build
from mattran.units.models import Unit

SEED_SENTENCES = [
    "Phối hợp tổ chức 103 cuộc tuyên truyền với 9.856 lượt người tham dự, phối hợp tổ chức "
    "11 cuộc tọa đàm.",
    "Tổ chức 02 Đoàn giám sát trực tiếp việc vận động, quản lý sử dụng Quỹ “Vì Người nghèo” "
    "và các Quỹ an sinh xã hội do Ủy ban MTTQ Việt Nam Quận triển khai và việc thực hiện chế "
    "độ, chính sách đối với cán bộ, hội viên của các Hội tại các phường trên địa bàn quận Đống "
    "Đa năm 2023 đối với 6 đơn vị: Láng Thượng, Thổ Quan, Trung Liệt, Nam Đồng, Phương Mai, "
    "Phương Liên.",
    "Ban Thanh tra nhân dân đã giám sát 46 cuộc; Ban Giám sát đầu tư của cộng đồng giám sát "
    "131 công trình; Hòa giải 86/92 (đạt 93,5%);",
    "Tổ chức 02 Hội nghị phản biện xã hội cấp Quận vào Đề án “Ứng dụng công nghệ thông tin "
    "hướng tới chuyển đổi số trong hoạt động của các cơ quan thuộc hệ thống chính trị quận Đống "
    "Đa đến năm 2025, định hướng đến năm 2030”; Đề án “Tuyến phố chuyên doanh ẩm thực Nguyễn "
    "Văn Tuyết quận Đống Đa, thành phố Hà Nội” và Ủy ban MTTQ Việt Nam phường tổ chức 21 Hội "
    "nghị phản biện, phối hợp tổ chức 11 cuộc đối thoại định kỳ.",
]


@pytest.fixture
def demo_db(demo_module, db):
    """load_demo's data, built once per run (tests/conftest.py)."""


@pytest.fixture
def dong_da(demo_db):
    return Unit.objects.get(version__code="2023", name="Quận Đống Đa")


def test_nine_month_report_reproduces_every_seed_figure(dong_da):
    report = report_build(user=None, unit=dong_da, period=Period.parse("2023-9M"))
    f = report.figures
    assert (f["tuyen_truyen"].totals[0], f["tuyen_truyen_luot"].totals[0]) == (103, 9856)
    assert f["toa_dam"].totals[0] == 11
    assert (f["doan_giam_sat"].own[0], f["don_vi_duoc_giam_sat"].own[0]) == (2, 6)
    assert f["ttnd_giam_sat"].totals[0] == 46
    assert f["gsdtcd_cong_trinh"].totals[0] == 131
    assert (f["hoa_giai_thanh"].totals[0], f["hoa_giai_tiep_nhan"].totals[0]) == (86, 92)
    assert f["ty_le_hoa_giai_thanh"].total_text == "93,5%"
    assert (f["phan_bien"].own[0], f["phan_bien"].children[0]) == (2, 21)
    assert f["doi_thoai"].totals[0] == 11
    # The previous year is there and differs.
    assert f["tuyen_truyen"].totals[1] == 96
    assert f["hoa_giai_tiep_nhan"].totals[1] == 85
    assert report.failures == []


def test_narrative_says_it_as_the_seed_does(dong_da):
    report = report_build(user=None, unit=dong_da, period=Period.parse("2023-9M"))
    text = report.narrative
    for sentence in SEED_SENTENCES:
        assert sentence in text
    # The money sentence comes from the funds ledger, through the figures layer, and says
    # what the transfer to the City was for, as seed 003 does (Transfer.purpose).
    assert (
        "Vận động, ủng hộ Quỹ “Vì Biển, đảo Việt Nam” năm 2023 đạt 2.366.435.000đ. Trong 9 "
        "tháng, đã trích 1.413.860.796 đồng từ quỹ “Vì người nghèo” các cấp quận hỗ trợ 359 "
        "suất quà, sửa 02 nhà Nhân ái; ủng hộ Thành phố 200.000.000 đồng xây dựng nhà Đại "
        "đoàn kết cho các hộ nghèo Tỉnh Điện Biên."
    ) in text


def test_fund_figures_come_from_the_ledger_and_split_by_ward(dong_da):
    report = report_build(user=None, unit=dong_da, period=Period.parse("2023-9M"))
    f = report.figures
    expected = {
        "funds.mobilised(fund=sea_islands)": 2_366_435_000,
        "funds.spent(fund=poor)": 1_413_860_796,
        "funds.spent(fund=poor,measure=quantity,purpose=gifts)": 359,
        "funds.spent(fund=poor,measure=quantity,purpose=house_repair)": 2,
        "funds.transfers(direction=up)": 200_000_000,
    }
    by_key = {fig.indicator.figure_key: fig for fig in f.values()}
    for key, value in expected.items():
        fig = by_key[key]
        assert fig.totals[0] == value, key
        # own office + wards add up to the total: the ledger is split, not duplicated
        assert (fig.own[0] or 0) + (fig.children[0] or 0) == value, key
    # wards raised part of the Vì biển, đảo money themselves
    assert by_key["funds.mobilised(fund=sea_islands)"].children[0] > 0


def test_wards_are_spread_over_months_and_wards(dong_da):
    report = report_build(user=None, unit=dong_da, period=Period.parse("2023-9M"))
    per_ward = [report.figures["tuyen_truyen"].cell(0, r.bucket) for r in report.child_rows]
    assert len(per_ward) == 21 and all(n > 0 for n in per_ward) and len(set(per_ward)) > 3
    q1 = report_build(user=None, unit=dong_da, period=Period.parse("2023-Q1"))
    q3 = report_build(user=None, unit=dong_da, period=Period.parse("2023-Q3"))
    assert 0 < q1.figures["tuyen_truyen"].totals[0] < q3.figures["tuyen_truyen"].totals[0]


def test_demo_is_idempotent(dong_da):
    load_demo(out=io.StringIO())
    report = report_build(user=None, unit=dong_da, period=Period.parse("2023-9M"))
    assert report.figures["tuyen_truyen"].totals[0] == 103


def test_cli_prints_the_review_by_name_and_by_code(dong_da, capsys):
    call_command("report", "Quận Đống Đa", "2023-9M")
    out = capsys.readouterr().out
    assert "Sơ kết công tác Mặt trận 9 tháng đầu năm 2023" in out
    assert SEED_SENTENCES[0] in out
    call_command("report", "006", "2023-9M", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["figures"]["ty_le_hoa_giai_thanh"]["text"] == "93,5%"
    assert data["figures"]["tuyen_truyen"]["previous"] == 96


def test_cli_lists_candidates_when_a_name_is_ambiguous(demo_db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exc:
        call_command("report", "Phường Trung", "2023-9M")
    message = str(exc.value)
    assert "Hãy ghi mã đơn vị" in message
    assert "Phường Trung Liệt (Quận Đống Đa), mã 00217" in message
    with pytest.raises(CommandError, match="Kỳ báo cáo 'abc' không hợp lệ"):
        call_command("report", "006", "abc")


def test_cli_report_under_the_2025_structure_carries_2023_records(demo_db, capsys):
    # Láng Thượng (2023) became part of Phường Láng (2025) whole; Láng Hạ only partly.
    call_command("report", "Phường Láng", "2023-9M", "--structure", "2025-07", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == "2025-07"
    assert data["figures"]["tuyen_truyen"]["value"] > 0


def test_cli_picks_the_structure_in_force_for_the_period(demo_db, capsys):
    # 2025-H1 lies in Hà Nội's January 2025 structure: districts still exist.
    call_command("report", "Quận Hoàn Kiếm", "2025-H1", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == "2025-01" and data["unit"] == "Quận Hoàn Kiếm"
    # The 2023 review of Đống Đa, asked under January 2025 (wards merged whole): same total.
    call_command("report", "Quận Đống Đa", "2023-9M", "--structure", "2025-01", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["figures"]["tuyen_truyen"]["value"] == 103
