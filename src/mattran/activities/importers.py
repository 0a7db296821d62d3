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

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from mattran.core.errors import ImportValidationError, RowError, UserFacingError
from mattran.core.periods import Period
from mattran.core.text import printable
from mattran.core.uploads import max_bytes, xlsx_open, xlsx_reading
from mattran.core.vietnamese import NumberError, fold, nfc, parse_integer
from mattran.units.models import Unit
from mattran.units.selectors import unit_date_error

from . import checks, services
from .models import ActivityRecord, ActivityType, MediationCase, MediationOutcome

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
# The template carries its unit and period (sheet "Hướng dẫn", column A label,
# column B value); the upload validates against them, not against the page.
META_UNIT = "Mã đơn vị trong hệ thống"
META_PERIOD = "Mã kỳ"
META_FIRST_ROW = 8
OUTCOME_BY_LABEL = {fold(label): value for value, label in MediationOutcome.choices}
OUTCOME_BY_LABEL.update({"thanh": "resolved", "khong thanh": "failed", "dang": "pending"})


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _units_for(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(Unit.subtree_q(unit.path))
        .select_related("version")
        .order_by("path")[:2000]
    )


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
    meta = [
        (META_UNIT, f"#{unit.pk}", unit.name),
        (META_PERIOD, period.code, period.label),
    ]
    for i, (label, value, shown) in enumerate(meta, start=META_FIRST_ROW):
        guide.cell(row=i, column=1, value=label).font = bold
        cell = guide.cell(row=i, column=2, value=value)
        cell.number_format = "@"
        guide.cell(row=i, column=3, value=safe_cell(shown))
    guide.cell(
        row=META_FIRST_ROW + len(meta),
        column=1,
        value="Không sửa hai ô trên: hệ thống dùng chúng để biết mẫu này của đơn vị và kỳ nào.",
    )

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
        cat.cell(row=cat.max_row, column=1).number_format = "@"
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
        # Unit codes are text: "00187" must not become the number 187.
        ws.column_dimensions[ws.cell(row=1, column=len(cols)).column_letter].number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class BulkResult:
    activities: int
    mediation: int
    period_code: str = ""
    # Rows already recorded (same unit, date, type, title), skipped unless confirmed.
    duplicates: tuple[RowError, ...] = ()
    duplicates_written: bool = False


def _meta(wb) -> dict[str, str]:
    """The unit and period the template was made for (empty for older templates)."""
    if "Hướng dẫn" not in wb.sheetnames:
        return {}
    found = {}
    with xlsx_reading():
        for row in wb["Hướng dẫn"].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
            if row and row[0] in (META_UNIT, META_PERIOD) and len(row) > 1:
                found[row[0]] = _text(row[1]).strip()
    return found


def template_target(*, wb, unit: Unit, period: Period | None) -> tuple[Unit, Period]:
    """The unit and period of an uploaded template; a Vietnamese error if the file
    belongs to another unit. The page's period is only a fallback for old files."""
    meta = _meta(wb)
    code = meta.get(META_PERIOD)
    if code:
        period = Period.parse(code)
    if period is None:
        raise UserFacingError("Tệp không ghi kỳ báo cáo: hãy tải mẫu mới từ hệ thống.")
    unit_ref = meta.get(META_UNIT, "")
    if unit_ref and unit_ref != f"#{unit.pk}":
        other = (
            Unit.objects.filter(pk=unit_ref.lstrip("#")).first() if unit_ref[1:].isdigit() else None
        )
        name = other.name if other else unit_ref
        raise UserFacingError(
            f"Tệp này là mẫu của {name}, không phải của {unit.name}: "
            f"hãy tải lên ở trang nhập Excel của {name}, hoặc tải mẫu của {unit.name}."
        )
    return unit, period


def code_restore(value, known: dict[str, object]) -> str:
    """A unit code as text. Excel turns "00187" typed in a number cell into 187:
    when exactly one known code is that number with its leading zeros, it is meant."""
    code = _text(value).strip()
    if not code or code in known or not code.isdigit():
        return code
    matches = [k for k in known if k.isdigit() and k.lstrip("0") == code.lstrip("0")]
    return matches[0] if len(matches) == 1 else code


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
    text = nfc(printable(str(value)))  # control characters of a cell are dropped (core/text.py)
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
    limit = max_bytes("spreadsheet")  # the upload module's limit (core/uploads.py)
    data = source.read(limit + 1) if hasattr(source, "read") else bytes(source)
    if len(data) > limit:
        raise UserFacingError(
            f"Tệp quá lớn (tối đa {limit // (1024 * 1024)} MB). Hãy chia thành nhiều tệp."
        )
    try:
        return xlsx_open(data)  # refuses zip bombs and broken archives first
    except UserFacingError as exc:
        raise UserFacingError(
            f"Không đọc được tệp: cần tệp Excel .xlsx tải từ mẫu của hệ thống. {exc.message}"
        ) from exc


def bulk_import(
    *,
    actor,
    unit: Unit,
    period: Period | None,
    source,
    include_duplicates: bool = False,
    progress=None,
) -> BulkResult:
    """Validate the whole file, then write every row, or nothing.

    The unit and period are those written in the template (`template_target`).
    A row already recorded (same unit, date, type and title; for mediation,
    unit, date and content), in the database or earlier in the file, is
    reported and skipped unless `include_duplicates`.
    """
    wb = _open(source)
    try:
        unit, period = template_target(wb=wb, unit=unit, period=period)
        missing = [s for s in (SHEET_ACTIVITIES, SHEET_MEDIATION) if s not in wb.sheetnames]
        if missing:
            raise ImportValidationError(
                [RowError(None, None, f"thiếu trang “{s}” của mẫu nhập") for s in missing]
            )
        units = _units_for(unit)
        by_code = {u.code: u for u in units if u.code} | {f"#{u.pk}": u for u in units}
        active_types = list(ActivityType.objects.filter(active=True))
        types = {t.code: t for t in active_types} | {fold(t.name): t for t in active_types}
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
            code = code_restore(value, by_code)
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

        approved_over, lock_message = checks.approved_over, checks.lock_message

        approved: dict[int, list] = {}

        def recordable_on(target: Unit | None, day, row: int, sheet: str, column: str) -> None:
            """The day lies in the target's structure version and in no approved period."""
            if target is None or day is None or not period.contains(day):
                return
            if message := unit_date_error(unit=target, start=day):
                errors.append(RowError(row, where(sheet, column), message))
                return
            if target.pk not in approved:
                approved[target.pk] = approved_over(unit=target, start=period.start, end=period.end)
            for sub in approved[target.pk]:
                if sub.period_start <= day <= sub.period_end:
                    errors.append(
                        RowError(row, where(sheet, column), lock_message(sub, unit=target))
                    )
                    return

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
            type_code = _text(v[1]).strip()
            atype = types.get(type_code) or types.get(fold(type_code))
            if atype is None:
                errors.append(
                    RowError(
                        row,
                        where(SHEET_ACTIVITIES, c[1]),
                        f"mã loại hoạt động “{type_code}” không có trong danh mục "
                        "(ghi mã hoặc tên loại)"
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
            for raw in filter(None, (x.strip() for x in _text(v[5]).split(";"))):
                code = code_restore(raw, children)
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
            recordable_on(target, day, row, SHEET_ACTIVITIES, c[0])
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
            recordable_on(target, received, row, SHEET_MEDIATION, c[0])
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
    duplicates = _duplicates(activities, cases)
    if not include_duplicates:
        skip = {(d.column, d.row) for d in duplicates}
        activities = [(r, d) for r, d in activities if (SHEET_ACTIVITIES, r) not in skip]
        cases = [(r, d) for r, d in cases if (SHEET_MEDIATION, r) not in skip]
    result = _write(actor=actor, activities=activities, cases=cases, progress=progress)
    return BulkResult(
        activities=result.activities,
        mediation=result.mediation,
        period_code=period.code,
        duplicates=tuple(duplicates),
        duplicates_written=include_duplicates,
    )


def _duplicates(activities, cases) -> list[RowError]:
    """Rows already recorded, or repeated earlier in the file (one query per sheet)."""
    found: list[RowError] = []
    if activities:
        days = [d["date"] for _, d in activities]
        seen = {
            (u, day, t, fold(title)): "đã có trong hệ thống"
            for u, day, t, title in ActivityRecord.objects.filter(
                unit__in={d["unit"].pk for _, d in activities},
                date__range=(min(days), max(days)),
            ).values_list("unit_id", "date", "type_id", "title")
        }
        for row, d in activities:
            key = (d["unit"].pk, d["date"], d["type"].pk, fold(d["title"]))
            if key in seen:
                found.append(RowError(row, SHEET_ACTIVITIES, f"{d['title']}: {seen[key]}"))
            else:
                seen[key] = f"trùng dòng {row}"
    if cases:
        days = [d["received_on"] for _, d in cases]
        seen = {
            (u, day, fold(title)): "đã có trong hệ thống"
            for u, day, title in MediationCase.objects.filter(
                unit__in={d["unit"].pk for _, d in cases},
                received_on__range=(min(days), max(days)),
            ).values_list("unit_id", "received_on", "title")
        }
        for row, d in cases:
            key = (d["unit"].pk, d["received_on"], fold(d["title"]))
            if key in seen:
                found.append(RowError(row, SHEET_MEDIATION, f"{d['title']}: {seen[key]}"))
            else:
                seen[key] = f"trùng dòng {row}"
    return found


@transaction.atomic
def _write(*, actor, activities, cases, progress=None) -> BulkResult:
    errors: list[RowError] = []
    total = len(activities) + len(cases)
    if progress is not None:
        progress.update(0, total=total, message="Đang ghi")
    batch = 500
    for i in range(0, len(activities), batch):
        chunk = activities[i : i + batch]
        try:
            services.activity_records_bulk_create(actor=actor, rows=[d for _, d in chunk])
        except UserFacingError as exc:
            errors.append(RowError(chunk[0][0], SHEET_ACTIVITIES, exc.message))
            break
        if progress is not None:
            progress.advance(len(chunk))
    for row, data in cases:
        try:
            with transaction.atomic():
                services.mediation_case_create(actor=actor, **data)
        except UserFacingError as exc:
            errors.append(RowError(row, SHEET_MEDIATION, exc.message))
        if progress is not None:
            progress.advance()
    if errors:  # raising out of the atomic block rolls every row back
        raise ImportValidationError(errors)
    return BulkResult(activities=len(activities), mediation=len(cases))
