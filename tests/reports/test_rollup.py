from mattran.core.periods import Period
from mattran.reports.selectors import report_build


def test_district_report_totals_own_office_children_and_previous_year(records, people):
    tree = records
    report = report_build(
        user=people["viewer_a"], unit=tree["district_a"], period=Period.parse("2023-9M")
    )
    f = report.figures
    assert f["tuyen_truyen"].totals == {0: 3, 1: 1}
    assert f["tuyen_truyen_luot"].totals[0] == 150
    assert f["tuyen_truyen"].own[0] == 1
    assert f["tuyen_truyen"].children[0] == 2
    a1, a2 = str(tree["ward_a1"].pk), str(tree["ward_a2"].pk)
    assert f["tuyen_truyen"].cell(0, a1) == 2  # the ward and its residential area
    assert f["tuyen_truyen"].cell(0, a2) == 0
    assert f["toa_dam"].totals[0] == 1
    assert (f["phan_bien"].own[0], f["phan_bien"].children[0]) == (1, 2)
    assert f["phan_bien"].subjects[0] == ["Đề án “Chuyển đổi số”"]
    assert f["doan_giam_sat"].own[0] == 1
    assert f["don_vi_duoc_giam_sat"].own[0] == 2
    assert [n for n, _ in f["doan_giam_sat"].units[0]] == ["Phường A2", "Phường A1"]
    assert f["hoa_giai_tiep_nhan"].totals[0] == 4
    assert f["hoa_giai_thanh"].totals[0] == 2
    assert f["hoa_giai_khong_thanh"].totals[0] == 1
    assert f["hoa_giai_dang_giai_quyet"].totals[0] == 1
    assert str(f["ty_le_hoa_giai_thanh"].totals[0]) == "50,0%"
    assert f["hoa_giai_tiep_nhan"].totals[1] == 0  # received in December 2022
