"""`mattran read-report`: text and JSON, with and without a unit and period."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mattran.activities import services as act
from mattran.activities.models import ActivityType
from mattran.reading import legacy

DATA = Path(__file__).parent / "data"


def run(*args):
    out = io.StringIO()
    call_command("read_report", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def report_file(tmp_path):
    path = tmp_path / "bao-cao.txt"
    path.write_text(
        "Phối hợp tổ chức 5 cuộc tuyên truyền với 400 lượt người tham dự; "
        "Hòa giải 86/92 (đạt 93.4%)."
    )
    return path


def test_json_without_unit_proposes_nothing(report_file):
    data = json.loads(run(str(report_file), "--format", "json"))
    assert data["unit"] is None and data["proposals"] == []
    first = data["figures"][0]
    assert (first["value"], first["key"], first["exact"], first["pattern"]) == (
        5, "tuyen_truyen", True, "count_unit",
    )  # fmt: skip
    assert first["sentence"].startswith("Phối hợp tổ chức 5 cuộc")
    assert [w["code"] for w in data["warnings"]] == ["rate_mismatch"]
    assert data["warnings"][0]["sentence"] == "Hòa giải 86/92 (đạt 93.4%)."


def test_text_of_a_vni_file(tmp_path):
    path = tmp_path / "cu.txt"
    path.write_bytes(
        legacy.unicode_to_vni("Trao 44 suất quà, mỗi suất 500 nghìn đồng.").encode("cp1252")
    )
    out = run(str(path))
    assert "bảng mã: vni" in out
    assert "44 suất quà × 500.000 đồng = 22.000.000 đồng" in out


def test_with_unit_and_period_compares_and_proposes(tree, report_file):
    tt = ActivityType.objects.get(code="tuyen_truyen")
    for day in (dt.date(2023, 2, 1), dt.date(2023, 3, 1), dt.date(2023, 4, 1)):
        act.activity_record_create(
            actor=None, unit=tree["district_a"], type=tt, date=day, title="TT", attendance=100
        )
    act.activity_record_create(
        actor=None,
        unit=tree["ward_a1"],
        type=tt,
        date=dt.date(2022, 3, 1),
        title="TT",
        attendance=1,
    )
    data = json.loads(
        run(str(report_file), "--unit", "911", "--period", "2023-9M", "--format", "json")
    )
    assert data["unit"] == "Quận A"
    codes = [(w["code"], w["message"]) for w in data["warnings"]]
    assert ("system_mismatch", "Số cuộc tuyên truyền: bài ghi “5 cuộc”, hệ thống ghi 3.") in codes
    assert any(c == "year_on_year" and "tăng 5 lần" in m for c, m in codes)
    assert {p["key"] for p in data["proposals"]} >= {"tuyen_truyen", "hoa_giai_thanh"}


def test_errors_are_vietnamese(tmp_path, report_file):
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        run(str(tmp_path / "khong-co.docx"))
    with pytest.raises(CommandError, match="cả --unit và --period"):
        run(str(report_file), "--unit", "911")


def test_tcvn3_and_vni_samples_read_like_the_unicode_text():
    """The same passage typed in .VnTime (TCVN3), VNI-Times and Unicode reads the same."""
    results = []
    for name in ("sample_unicode.txt", "sample_tcvn3.txt", "sample_vni.txt"):
        data = json.loads(run(str(DATA / name), "--format", "json"))
        figures = [(f["value"], f["key"]) for f in data["figures"]]
        warnings = [w["code"] for w in data["warnings"]]
        results.append((data["encoding"], figures, warnings))
    encodings = [r[0] for r in results]
    assert encodings == ["unicode", "tcvn3", "vni"]
    assert results[0][1:] == results[1][1:] == results[2][1:]
    figures, warnings = results[0][1:]
    assert (126_500_000, "quy_vi_nguoi_ngheo_van_dong") in figures
    assert (17, "hoa_giai_thanh") in figures and (19, "hoa_giai_tiep_nhan") in figures
    assert warnings == ["rate_mismatch"]  # 60 × 300.000 = 18 triệu agrees; 17/19 is 89,5%
