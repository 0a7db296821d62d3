"""Bulk entry from XLSX: a template per unit and period, and an all-or-nothing upload.

The template has a sheet of activities, a sheet of mediation cases and a
catalogue sheet (activity type codes, outcomes, the units one may record
for). The upload is parsed with openpyxl in read-only mode (streaming, no
formulas evaluated), size- and row-limited, validated completely, and written
in one transaction through the services, or not at all: every bad row and
cell is reported in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from mattran.core.errors import ImportValidationError, RowError, UserFacingError
from mattran.core.periods import Period
from mattran.core.uploads import xlsx_open, xlsx_reading
from mattran.core.vietnamese import NumberError, fold, nfc, parse_integer
from mattran.units.models import Unit

from . import checks, services
from .models import ActivityType, MediationOutcome

MAX_BYTES = min(getattr(settings, "MATTRAN_MAX_UPLOAD_BYTES", 5 * 1024 * 1024), 5 * 1024 * 1024)
MAX_ROWS = 5000

SHEET_ACTIVITIES = "Hoạt động"
SHEET_MEDIATION = "Hòa giải"
SHEET_CATALOGUE = "Danh mục"

ACTIVITY_COLUMNS = [
    "Ngày",
    "Mã loại hoạt động",
    "Tên hoạt động",
    "Số người tham dự",
    "Đề án / nội dung",
    "Đơn vị được giám sát (mã, cách nhau bởi ;)",
    "Ghi chú",
    "Mã đơn vị (để trống: đơn vị này)",
]
MEDIATION_COLUMNS = [
    "Ngày tiếp nhận",
    "Nội dung vụ việc",
    "Kết quả",
    "Ngày kết thúc",
    "Ghi chú",
    "Mã đơn vị (để trống: đơn vị này)",
]
OUTCOME_BY_LABEL = {fold(label): value for value, label in MediationOutcome.choices}
OUTCOME_BY_LABEL.update({"thanh": "resolved", "khong thanh": "failed", "dang": "pending"})


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _units_for(unit: Unit) -> list[Unit]:
    return list(Unit.objects.filter(Unit.subtree_q(unit.path)).order_by("path")[:2000])


def bulk_template(*, unit: Unit, period: Period) -> bytes:
    """The XLSX template for `unit` and `period`."""
    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="F2DCDB")
    guide = wb.active
    guide.title = "Hướng dẫn"
    lines = [
        f"Mẫu nhập hoạt động – {unit.name} – {period.label}",
        f"Chỉ nhập hoạt động, vụ việc có ngày từ {period.start:%d/%m/%Y} "
        f"đến {period.end:%d/%m/%Y}.",
        "Ngày ghi theo dạng dd/mm/yyyy (ví dụ 14/09/2023) hoặc để Excel định dạng ngày.",
        "Mã loại hoạt động, kết quả hòa giải và mã đơn vị: xem trang “Danh mục”.",
        "Tệp được kiểm tra toàn bộ trước khi ghi: nếu có lỗi, không dòng nào được ghi "
        "và hệ thống liệt kê từng dòng, từng cột bị lỗi.",
    ]
    for i, line in enumerate(lines, start=1):
        guide.cell(row=i, column=1, value=safe_cell(line)).font = bold if i == 1 else Font()
    guide.column_dimensions["A"].width = 110

    cat = wb.create_sheet(SHEET_CATALOGUE)
    cat.append(["Mã loại hoạt động", "Tên loại", "Ghi số người", "Ghi đề án / nội dung"])
    types = list(ActivityType.objects.filter(active=True))
    for t in types:
        cat.append(
            [
                t.code,
                safe_cell(t.name),
                "có" if t.uses_attendance else "",
                safe_cell(t.subject_label),
            ]
        )
    cat.append([])
    cat.append(["Kết quả hòa giải"])
    for _, label in MediationOutcome.choices:
        cat.append([label])
    cat.append([])
    cat.append(["Mã đơn vị", "Tên đơn vị"])
    for u in _units_for(unit):
        cat.append([safe_cell(u.code or f"#{u.pk}"), safe_cell(u.name)])
    for c in "ABCD":
        cat.column_dimensions[c].width = 40

    acts = wb.create_sheet(SHEET_ACTIVITIES, 1)
    acts.append(ACTIVITY_COLUMNS)
    dv = DataValidation(
        type="list", formula1=f"='{SHEET_CATALOGUE}'!$A$2:$A${len(types) + 1}", allow_blank=True
    )
    dv.error = "Chọn mã loại hoạt động trong trang Danh mục"
    acts.add_data_validation(dv)
    dv.add(f"B2:B{MAX_ROWS + 1}")
    med = wb.create_sheet(SHEET_MEDIATION, 2)
    med.append(MEDIATION_COLUMNS)
    for ws, cols in ((acts, ACTIVITY_COLUMNS), (med, MEDIATION_COLUMNS)):
        for i, _ in enumerate(cols, start=1):
            cell = ws.cell(row=1, column=i)
            cell.font = bold
            cell.fill = head_fill
            ws.column_dimensions[cell.column_letter].width = 24
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class BulkResult:
    activities: int
    mediation: int


def _date(value, row: int, column: str, errors: list[RowError]) -> dt.date | None:
    if value is None or value == "":
        errors.append(RowError(row, column, "chưa ghi ngày"))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    errors.append(RowError(row, column, f"“{text}” không phải ngày (dd/mm/yyyy)"))
    return None


def _int(value, row: int, column: str, errors: list[RowError]) -> int | None:
    """A count cell: a number cell or text read by the one parser (core.parse_integer)."""
    try:
        return parse_integer(value)
    except NumberError as exc:
        errors.append(RowError(row, column, exc.message))
        return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = nfc(str(value))
    return text[1:] if text.startswith("'") else text


def _rows(ws, width: int):
    with xlsx_reading():
        rows = enumerate(ws.iter_rows(min_row=2, max_col=width, values_only=True), 2)
        for index, row in rows:
            if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            if index > MAX_ROWS + 1:
                raise ImportValidationError(
                    [
                        RowError(
                            index, None, f"tệp quá nhiều dòng (tối đa {MAX_ROWS} dòng mỗi trang)"
                        )
                    ]
                )
            yield index, list(row) + [None] * (width - len(row))


def _open(source) -> object:
    data = source.read(MAX_BYTES + 1) if hasattr(source, "read") else bytes(source)
    if len(data) > MAX_BYTES:
        raise UserFacingError(
            f"Tệp quá lớn (tối đa {MAX_BYTES // (1024 * 1024)} MB). Hãy chia thành nhiều tệp."
        )
    try:
        return xlsx_open(data)  # refuses zip bombs and broken archives first
    except UserFacingError as exc:
        raise UserFacingError(
            f"Không đọc được tệp: cần tệp Excel .xlsx tải từ mẫu của hệ thống. {exc.message}"
        ) from exc


def bulk_import(*, actor, unit: Unit, period: Period, source) -> BulkResult:
    """Validate the whole file, then write every row, or nothing."""
    wb = _open(source)
    try:
        missing = [s for s in (SHEET_ACTIVITIES, SHEET_MEDIATION) if s not in wb.sheetnames]
        if missing:
            raise ImportValidationError(
                [RowError(None, None, f"thiếu trang “{s}” của mẫu nhập") for s in missing]
            )
        units = _units_for(unit)
        by_code = {u.code: u for u in units if u.code} | {f"#{u.pk}": u for u in units}
        types = {t.code: t for t in ActivityType.objects.filter(active=True)}
        children = {u.code: u for u in units if u.parent_id and u.code}
        today = timezone.localdate()
        errors: list[RowError] = []
        activities: list[tuple[int, dict]] = []
        cases: list[tuple[int, dict]] = []
        activity_errors = checks.activity_errors
        rules = checks.rules_active()

        def where(sheet: str, column: str) -> str:
            return f"{sheet} › {column}"

        def unit_of(value, row: int, sheet: str, column: str) -> Unit | None:
            code = _text(value)
            if not code:
                return unit
            found = by_code.get(code)
            if found is None:
                errors.append(
                    RowError(
                        row, where(sheet, column), f"không có đơn vị mã “{code}” thuộc {unit.name}"
                    )
                )
            return found

        def in_period(day: dt.date | None, row: int, sheet: str, column: str) -> None:
            if day is None:
                return
            if not period.contains(day):
                errors.append(
                    RowError(
                        row, where(sheet, column), f"ngày {day:%d/%m/%Y} ngoài kỳ {period.label}"
                    )
                )
            elif day > today:
                errors.append(
                    RowError(row, where(sheet, column), "ngày không được sau ngày hôm nay")
                )

        ws = wb[SHEET_ACTIVITIES]
        c = ACTIVITY_COLUMNS
        for row, v in _rows(ws, len(c)):
            before = len(errors)
            day = _date(v[0], row, where(SHEET_ACTIVITIES, c[0]), errors)
            in_period(day, row, SHEET_ACTIVITIES, c[0])
            type_code = _text(v[1])
            atype = types.get(type_code)
            if atype is None:
                errors.append(
                    RowError(
                        row,
                        where(SHEET_ACTIVITIES, c[1]),
                        f"mã loại hoạt động “{type_code}” không có trong danh mục"
                        if type_code
                        else "chưa ghi mã loại hoạt động",
                    )
                )
            title = _text(v[2])
            if not title:
                errors.append(RowError(row, where(SHEET_ACTIVITIES, c[2]), "chưa ghi tên"))
            attendance = _int(v[3], row, where(SHEET_ACTIVITIES, c[3]), errors)
            subject = _text(v[4])
            supervised = []
            for code in filter(None, (x.strip() for x in _text(v[5]).split(";"))):
                if code in children:
                    supervised.append(children[code])
                else:
                    errors.append(
                        RowError(
                            row,
                            where(SHEET_ACTIVITIES, c[5]),
                            f"không có đơn vị trực thuộc mã “{code}”",
                        )
                    )
            target = unit_of(v[7], row, SHEET_ACTIVITIES, c[7])
            if target is not None and not services.can_record(actor, target):
                errors.append(
                    RowError(
                        row,
                        where(SHEET_ACTIVITIES, c[7]),
                        f"bạn không có quyền ghi hoạt động của {target.name}",
                    )
                )
            if atype is not None:
                for field, msgs in activity_errors(
                    rules=rules,
                    type=atype,
                    attendance=attendance,
                    subject=subject,
                    supervised_count=len(supervised),
                ).items():
                    col = {"attendance": c[3], "subject": c[4], "supervised_units": c[5]}[field]
                    errors.extend(RowError(row, where(SHEET_ACTIVITIES, col), m) for m in msgs)
            if len(errors) == before:
                activities.append(
                    (
                        row,
                        {
                            "unit": target,
                            "type": atype,
                            "date": day,
                            "title": title,
                            "attendance": attendance,
                            "subject": subject,
                            "supervised_units": supervised,
                            "notes": _text(v[6]),
                        },
                    )
                )

        ws = wb[SHEET_MEDIATION]
        c = MEDIATION_COLUMNS
        for row, v in _rows(ws, len(c)):
            before = len(errors)
            received = _date(v[0], row, where(SHEET_MEDIATION, c[0]), errors)
            in_period(received, row, SHEET_MEDIATION, c[0])
            title = _text(v[1])
            if not title:
                errors.append(RowError(row, where(SHEET_MEDIATION, c[1]), "chưa ghi nội dung"))
            label = fold(_text(v[2])) or fold(MediationOutcome.PENDING.label)
            outcome = OUTCOME_BY_LABEL.get(label)
            if outcome is None:
                errors.append(
                    RowError(
                        row, where(SHEET_MEDIATION, c[2]), f"kết quả “{_text(v[2])}” không hợp lệ"
                    )
                )
            closed = _date(v[3], row, where(SHEET_MEDIATION, c[3]), []) if v[3] else None
            if v[3] and closed is None:
                errors.append(
                    RowError(
                        row, where(SHEET_MEDIATION, c[3]), f"“{v[3]}” không phải ngày (dd/mm/yyyy)"
                    )
                )
            if outcome and outcome != MediationOutcome.PENDING and closed is None and not v[3]:
                errors.append(
                    RowError(
                        row,
                        where(SHEET_MEDIATION, c[3]),
                        "vụ việc đã có kết quả phải ghi ngày kết thúc",
                    )
                )
            if outcome == MediationOutcome.PENDING and closed is not None:
                errors.append(
                    RowError(
                        row,
                        where(SHEET_MEDIATION, c[3]),
                        "vụ việc đang hòa giải thì chưa có ngày kết thúc",
                    )
                )
            if closed and received and closed < received:
                errors.append(
                    RowError(
                        row, where(SHEET_MEDIATION, c[3]), "ngày kết thúc trước ngày tiếp nhận"
                    )
                )
            if closed and closed > today:
                errors.append(
                    RowError(
                        row,
                        where(SHEET_MEDIATION, c[3]),
                        "ngày kết thúc không được sau ngày hôm nay",
                    )
                )
            target = unit_of(v[5], row, SHEET_MEDIATION, c[5])
            if target is not None and not services.can_record(actor, target):
                errors.append(
                    RowError(
                        row,
                        where(SHEET_MEDIATION, c[5]),
                        f"bạn không có quyền ghi vụ việc của {target.name}",
                    )
                )
            if len(errors) == before:
                cases.append(
                    (
                        row,
                        {
                            "unit": target,
                            "received_on": received,
                            "title": title,
                            "outcome": outcome,
                            "closed_on": closed,
                            "notes": _text(v[4]),
                        },
                    )
                )
    finally:
        wb.close()
    if errors:
        raise ImportValidationError(errors)
    if not activities and not cases:
        raise ImportValidationError([RowError(None, None, "tệp không có dòng dữ liệu nào")])
    return _write(actor=actor, activities=activities, cases=cases)


@transaction.atomic
def _write(*, actor, activities, cases) -> BulkResult:
    errors: list[RowError] = []
    for row, data in activities:
        try:
            with transaction.atomic():
                services.activity_record_create(actor=actor, **data)
        except UserFacingError as exc:
            errors.append(RowError(row, SHEET_ACTIVITIES, exc.message))
    for row, data in cases:
        try:
            with transaction.atomic():
                services.mediation_case_create(actor=actor, **data)
        except UserFacingError as exc:
            errors.append(RowError(row, SHEET_MEDIATION, exc.message))
    if errors:  # raising out of the atomic block rolls every row back
        raise ImportValidationError(errors)
    return BulkResult(activities=len(activities), mediation=len(cases))
