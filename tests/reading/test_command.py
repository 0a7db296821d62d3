"""`mattran read-report`: text and JSON, with and without a unit and period."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mattran.activities import services as act
from mattran.activities.models import ActivityType
from mattran.reading import legacy


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
