"""The reader on the seeds and on the shapes offices print figures in."""

from pathlib import Path

import pytest

from mattran.core.vietnamese import money_in_words
from mattran.reading.checker import check
from mattran.reading.finder import read_text, words_to_int

DATA = Path(__file__).parent / "data"

# DOMAIN.md's table of seed 003: (value, key, whose)
SEED_003 = [
    (103, "tuyen_truyen", "unit"),
    (9856, "tuyen_truyen_luot", "unit"),
    (11, "toa_dam", "unit"),
    (2_366_435_000, "quy_bien_dao_van_dong", "unit"),
    (1_413_860_796, "quy_vi_nguoi_ngheo_chi", "unit"),
    (359, "quy_vi_nguoi_ngheo_suat_qua", "unit"),
    (2, "quy_vi_nguoi_ngheo_nha", "unit"),
    (200_000_000, "ung_ho_cap_tren", "unit"),
    (2, "doan_giam_sat", "unit"),
    (6, "don_vi_duoc_giam_sat", "unit"),
    (46, "ttnd_giam_sat", "unit"),
    (131, "gsdtcd_cong_trinh", "unit"),
    (86, "hoa_giai_thanh", "unit"),
    (92, "hoa_giai_tiep_nhan", "unit"),
    (2, "phan_bien", "own"),
    (21, "phan_bien", "children"),
    (11, "doi_thoai", "children"),
]


def test_seed_003_every_figure_with_its_key():
    reading = read_text((DATA / "seed_003.txt").read_text())
    found = [(int(f.value), f.key, f.unit) for f in reading.figures if f.kind != "rate"]
    assert found == SEED_003
    rate = next(f for f in reading.figures if f.kind == "rate")
    assert (str(rate.value), rate.key) == ("93.4", "ty_le_hoa_giai_thanh")
    assert all(f.pattern and f.key_rule for f in reading.figures)
    skipped = {s.text: s.pattern for s in reading.skipped}
    assert skipped["14/9"] == "date_short"
    assert skipped["2024"] == "term"
    assert skipped["93"] == "anniversary"


def test_seed_003_flags_the_truncated_rate():
    warnings = check(read_text((DATA / "seed_003.txt").read_text()))
    errors = [w for w in warnings if w.severity == "error"]
    assert len(errors) == 1
    assert errors[0].code == "rate_mismatch"
    assert "93,5%" in errors[0].message and "cắt bớt" in errors[0].message
    assert errors[0].sentence == "Hòa giải 86/92 (đạt 93.4%);"


def test_seed_000_tasks_and_targets_are_lists_not_figures():
    reading = read_text((DATA / "seed_000.txt").read_text())
    lists = [(lf.count, lf.noun) for lf in reading.lists]
    assert lists == [(9, "nhiệm vụ"), (6, "chỉ tiêu")]
    targets = reading.lists[1]
    assert len(targets.items) == 6
    assert targets.items[0].startswith("Hoàn thành và vượt chỉ tiêu vận động quỹ “Vì người nghèo”")
    assert "từ 2 đến 4 hộ cận nghèo" in targets.items[2]
    # nothing inside the lists is read as a figure
    for lf in reading.lists:
        assert not [f for f in reading.figures if lf.start <= f.start < lf.end]
    assert {s.text for s in reading.skipped if s.pattern == "list_item"} >= {"09", "06", "100", "4"}


@pytest.mark.parametrize(
    ("text", "value", "kind", "direction"),
    [
        ("trao 1.879 suất quà trị giá hơn 560 triệu đồng", 560_000_000, "money", "trên"),
        ("đã phân bổ gần 30 tỷ đồng làm nhà", 30_000_000_000, "money", "dưới"),
        ("vận động được 112,7 tỷ đồng", 112_700_000_000, "money", ""),
        ("ủng hộ 1,2 tỷ đồng", 1_200_000_000, "money", ""),
        ("ủng hộ 1 tỷ 200 triệu đồng", 1_200_000_000, "money", ""),
        ("mỗi suất 500 nghìn đồng", 500_000, "money", ""),
        ("đạt 2.366.435.000đ.", 2_366_435_000, "money", ""),
        ("khoảng 300 hộ", 300, "count", "khoảng"),
        ("gần 1 tỷ đồng", 1_000_000_000, "money", "dưới"),
        ("hỗ trợ " + money_in_words(1_005_000), 1_005_000, "money", ""),
    ],
)
def test_values_and_exactness(text, value, kind, direction):
    figures = read_text(text).figures
    f = [f for f in figures if f.kind == kind][-1]
    assert (int(f.value), f.direction, f.exact) == (value, direction, not direction)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("Thực hiện Kết luận số 01-KL/TW của Bộ Chính trị", "document_number"),
        ("theo Nghị định 30/2020 của Chính phủ", "document_number"),
        ("Đại hội nhiệm kỳ 2024-2029", "term"),
        ("Ngày 16/3/2019, Ủy ban tổ chức", "date_full"),
        ("kỷ niệm 93 năm ngày thành lập", "anniversary"),
        ("1. Công tác tuyên truyền", "list_position"),
        ("Tổ dân phố số 6 phường Trần Hưng Đạo", "name_number"),
    ],
)
def test_not_figures(text, pattern):
    reading = read_text(text)
    assert reading.figures == []
    assert pattern in {s.pattern for s in reading.skipped}


def test_whose_figure():
    text = (
        "Ủy ban MTTQ phường Phương Liên trao 40 suất quà; "
        "MTTQ các phường tổ chức 12 cuộc tuyên truyền; Ủy ban MTTQ quận tổ chức 3 cuộc tọa đàm."
    )
    whose = [(f.unit, f.unit_name) for f in read_text(text).figures]
    assert whose == [("named", "phường Phương Liên"), ("children", ""), ("own", "")]


def test_words_to_int_reads_back_money_in_words():
    for n in (0, 5, 15, 21, 105, 1_005_000, 22_000_000, 2_366_435_000, 1_000_000_001):
        assert words_to_int(money_in_words(n).removesuffix(" đồng")) == n
