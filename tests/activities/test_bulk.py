import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from mattran.access.models import Role
from mattran.activities.importers import bulk_import, bulk_template, code_restore
from mattran.activities.models import ActivityRecord, MediationCase
from mattran.core.errors import ImportValidationError, UserFacingError
from mattran.core.periods import Period
from tests.factories import UserFactory, grant, make_unit

P = Period.parse("2023-09")


@pytest.fixture
def editor(tree):
    user = UserFactory()
    grant(user, tree["district_a"], Role.EDITOR)
    return user


def _filled(tree, activities, cases=()):
    wb = load_workbook(io.BytesIO(bulk_template(unit=tree["district_a"], period=P)))
    for row in activities:
        wb["Hoạt động"].append(row)
    for row in cases:
        wb["Hòa giải"].append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_template_lists_types_and_units(tree):
    wb = load_workbook(io.BytesIO(bulk_template(unit=tree["district_a"], period=P)))
    assert wb.sheetnames == ["Hướng dẫn", "Hoạt động", "Hòa giải", "Danh mục"]
    codes = [r[0] for r in wb["Danh mục"].iter_rows(values_only=True)]
    assert "tuyen_truyen" in codes and "91101" in codes


def test_good_file_is_written(tree, editor):
    f = _filled(
        tree,
        [
            [
                dt.datetime(2023, 9, 5),
                "tuyen_truyen",
                "Tuyên truyền PCCC",
                60,
                None,
                None,
                None,
                "91101",
            ],
            [
                "06/09/2023",
                "doan_giam_sat",
                "Đoàn giám sát",
                None,
                "Quy chế dân chủ",
                "91101; 91102",
                None,
                None,
            ],
        ],
        [["07/09/2023", "Tranh chấp lối đi", "Hòa giải thành", "10/09/2023", None, "91102"]],
    )
    result = bulk_import(actor=editor, unit=tree["district_a"], period=P, source=f)
    assert (result.activities, result.mediation) == (2, 1)
    sup = ActivityRecord.objects.get(type__code="doan_giam_sat")
    assert sup.unit == tree["district_a"]
    assert [u.name for u in sup.supervised_units.all()] == ["Phường A1", "Phường A2"]
    assert MediationCase.objects.get().outcome == "resolved"


def test_bad_file_reports_every_row_and_writes_nothing(tree, editor):
    f = _filled(
        tree,
        [
            ["05/09/2023", "tuyen_truyen", "Có", 60, None, None, None, None],  # fine
            ["31/09/2023", "khong_co", "", "nhiều", None, None, None, "999"],
            [dt.datetime(2023, 8, 1), "tuyen_truyen", "Ngoài kỳ", None, None, None, None, None],
            ["01/09/2023", "=cmd", "x", -3, None, None, None, None],
        ],
        [["02/09/2023", "Vụ", "Không biết", None, None, None]],
    )
    with pytest.raises(ImportValidationError) as exc:
        bulk_import(actor=editor, unit=tree["district_a"], period=P, source=f)
    messages = [str(e) for e in exc.value.errors]
    expected = [
        "Dòng 3, cột 'Hoạt động › Ngày': “31/09/2023” không phải ngày (dd/mm/yyyy)",
        "Dòng 3, cột 'Hoạt động › Mã loại hoạt động': mã loại hoạt động “khong_co” không có "
        "trong danh mục (ghi mã hoặc tên loại)",
        "Dòng 3, cột 'Hoạt động › Tên hoạt động': chưa ghi tên",
        "Dòng 3, cột 'Hoạt động › Số người tham dự': “nhiều” không phải là số nguyên "
        "(ví dụ 1.234.567 hoặc 1234567).",
        "Dòng 3, cột 'Hoạt động › Mã đơn vị (để trống: đơn vị này)': không có đơn vị mã “999” "
        "thuộc Quận A",
        "Dòng 4, cột 'Hoạt động › Ngày': ngày 01/08/2023 ngoài kỳ tháng 9 năm 2023",
        "Dòng 4, cột 'Hoạt động › Số người tham dự': Cuộc tuyên truyền phải ghi số người tham dự.",
        # A formula is never evaluated: read-only, values only, so the cell counts as empty.
        "Dòng 5, cột 'Hoạt động › Mã loại hoạt động': chưa ghi mã loại hoạt động",
        "Dòng 5, cột 'Hoạt động › Số người tham dự': “-3” là số âm; chỉ nhận số từ 0 trở lên.",
        "Dòng 2, cột 'Hòa giải › Kết quả': kết quả “Không biết” không hợp lệ",
    ]
    assert messages == expected
    assert not ActivityRecord.objects.exists() and not MediationCase.objects.exists()


def test_not_an_xlsx_or_too_big(tree, editor, settings):
    with pytest.raises(UserFacingError, match="Không đọc được tệp"):
        bulk_import(actor=editor, unit=tree["district_a"], period=P, source=io.BytesIO(b"abc"))
    settings.MATTRAN_UPLOAD_MAX_BYTES = {"spreadsheet": 10}
    with pytest.raises(UserFacingError, match="Tệp quá lớn"):
        bulk_import(actor=editor, unit=tree["district_a"], period=P, source=_filled(tree, []))


def test_upload_page_shows_row_errors(client, tree, editor):
    client.force_login(editor)
    url = f"/hoat-dong/don-vi/{tree['district_a'].pk}/nhap-excel/"
    response = client.get(url + "?ky=2023-09&tai=1")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    f = _filled(tree, [["05/09/2023", "tuyen_truyen", "Thiếu số người", None]])
    f.name = "nhap.xlsx"
    body = client.post(url, {"ky": "2023-09", "tep": f}).content.decode()
    assert "Tệp có 1 lỗi, chưa ghi dữ liệu nào" in body
    assert "Dòng 2" in body and "Cuộc tuyên truyền phải ghi số người tham dự." in body


# ------------------------------------------- the file's own unit and period (issue 11)


def _file(unit, period, activities):
    wb = load_workbook(io.BytesIO(bulk_template(unit=unit, period=period)))
    for row in activities:
        wb["Hoạt động"].append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_the_file_carries_its_unit_and_period(tree, editor):
    f = _file(tree["district_a"], P, [["05/09/2023", "toa_dam", "Tọa đàm", None]])
    # The page is now on another month: the file's own period (09/2023) is used.
    result = bulk_import(
        actor=editor, unit=tree["district_a"], period=Period.parse("2026-12"), source=f
    )
    assert (result.activities, result.period_code) == (1, "2023-09")
    wb = load_workbook(io.BytesIO(bulk_template(unit=tree["district_a"], period=P)))
    meta = {r[0]: r[1] for r in wb["Hướng dẫn"].iter_rows(values_only=True) if r[0]}
    assert meta["Mã kỳ"] == "2023-09" and meta["Mã đơn vị trong hệ thống"].startswith("#")
    other = _file(tree["ward_a1"], P, [["05/09/2023", "toa_dam", "Khác", None]])
    with pytest.raises(
        UserFacingError, match="Tệp này là mẫu của Phường A1, không phải của Quận A"
    ):
        bulk_import(actor=editor, unit=tree["district_a"], period=P, source=other)


def test_codes_lost_as_numbers_and_types_by_name(tree, editor):
    zero = make_unit("Phường Số Không", tree["district_a"], code="09101")
    f = _file(
        tree["district_a"],
        P,
        [
            ["05/09/2023", "Tọa đàm", "Theo tên loại", None, None, None, None, 9101],
            ["06/09/2023", "TOA DAM", "Không dấu", None, None, None, None, "91101"],
        ],
    )
    assert bulk_import(actor=editor, unit=tree["district_a"], period=P, source=f).activities == 2
    assert set(ActivityRecord.objects.values_list("unit__name", "type__code")) == {
        ("Phường Số Không", "toa_dam"),
        ("Phường A1", "toa_dam"),
    }
    assert code_restore(9101, {"09101": zero, "9101": zero}) == "9101"  # exact match wins
    assert code_restore(7, {"007": 1, "0007": 2}) == "7"  # two lengths fit: not guessed


def test_a_row_already_recorded_is_reported_and_skipped_unless_confirmed(tree, editor):
    rows = [["05/09/2023", "toa_dam", "Tọa đàm PCCC", None], ["06/09/2023", "toa_dam", "Mới", None]]
    assert (
        bulk_import(
            actor=editor,
            unit=tree["district_a"],
            period=P,
            source=_file(tree["district_a"], P, rows),
        ).activities
        == 2
    )
    again = rows + [
        ["07/09/2023", "toa_dam", "Thêm", None],
        ["07/09/2023", "toa_dam", "thêm", None],
    ]
    result = bulk_import(
        actor=editor, unit=tree["district_a"], period=P, source=_file(tree["district_a"], P, again)
    )
    assert result.activities == 1
    assert [str(d) for d in result.duplicates] == [
        "Dòng 2, cột 'Hoạt động': Tọa đàm PCCC: đã có trong hệ thống",
        "Dòng 3, cột 'Hoạt động': Mới: đã có trong hệ thống",
        "Dòng 5, cột 'Hoạt động': thêm: trùng dòng 4",
    ]
    result = bulk_import(
        actor=editor,
        unit=tree["district_a"],
        period=P,
        source=_file(tree["district_a"], P, rows[:1]),
        include_duplicates=True,
    )
    assert result.activities == 1 and ActivityRecord.objects.count() == 4


def test_upload_runs_as_a_job_with_progress_and_names_skipped_rows(client, tree, editor):
    client.force_login(editor)
    url = f"/hoat-dong/don-vi/{tree['district_a'].pk}/nhap-excel/"
    rows = [["05/09/2023", "toa_dam", f"Tọa đàm {i}", None] for i in range(3)]
    f = _file(tree["district_a"], P, rows)
    f.name = "nhap.xlsx"
    response = client.post(url, {"ky": "2026-12", "tep": f})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Đã ghi 3 hoạt động và 0 vụ việc hòa giải." in body and 'aria-valuenow="100"' in body
    f = _file(tree["district_a"], P, rows[:1])
    f.name = "nhap.xlsx"
    body = client.get(client.post(url, {"tep": f})["Location"]).content.decode()
    assert "Đã ghi 0 hoạt động" in body and "Tọa đàm 0: đã có trong hệ thống" in body
