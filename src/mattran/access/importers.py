"""Bulk add of users from an XLSX list: all or nothing, every bad row named.

Columns (row 1): Họ và tên, Tên đăng nhập, Email, Điện thoại, Mã đơn vị, Vai trò
(names or codes, separated by ";"). Each user gets a temporary password, shown
once to the administrator, to be changed at first sign-in.
"""

from __future__ import annotations

import io

from django.db import transaction
from openpyxl import Workbook

from mattran.core.errors import ImportValidationError, RowError, UserFacingError
from mattran.core.uploads import max_bytes, xlsx_open, xlsx_reading
from mattran.core.vietnamese import fold, nfc
from mattran.units.models import Unit

from . import services
from .policy import Perm, policy_for

COLUMNS = ["Họ và tên", "Tên đăng nhập", "Email", "Điện thoại", "Mã đơn vị", "Vai trò"]
MAX_ROWS = 1000
ROLE_BY_NAME = {fold(r.label): r.value for r in services.USER_ROLES} | {
    r.value: r.value for r in services.USER_ROLES
}


def users_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Người dùng"
    ws.append(COLUMNS)
    ws.append(
        ["Nguyễn Văn A", "capnhat.phuonga", "a@example.org", "0912345678", "13285", "Cập nhật"]
    )
    for col in ("D", "E"):
        ws.column_dimensions[col].number_format = "@"  # phone and unit codes are text
    for col in "ABCDEF":
        ws.column_dimensions[col].width = 24
    guide = wb.create_sheet("Hướng dẫn")
    guide.append(["Vai trò: " + "; ".join(r.label for r in services.USER_ROLES)])
    guide.append(["Cần email hoặc điện thoại. Dòng 2 là ví dụ: xóa hoặc sửa trước khi tải lên."])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


@transaction.atomic
def users_import(*, actor, source) -> list[services.NewUser]:
    limit = max_bytes("spreadsheet")  # the upload module's limit (core/uploads.py)
    data = source.read(limit + 1) if hasattr(source, "read") else bytes(source)
    if len(data) > limit:
        raise UserFacingError(f"Tệp quá lớn (tối đa {limit // (1024 * 1024)} MB).")
    try:
        wb = xlsx_open(data)
    except UserFacingError as exc:
        raise UserFacingError(f"Không đọc được tệp: cần tệp Excel .xlsx. {exc.message}") from exc
    policy = policy_for(actor)
    scope = policy.units(Perm.ADMINISTER).select_related("version").order_by("-version__valid_from")
    by_code: dict[str, Unit] = {}
    for u in scope.exclude(code=""):
        by_code.setdefault(u.code, u)
    errors: list[RowError] = []
    rows = []
    seen: dict[str, int] = {}
    with xlsx_reading():
        ws = wb.worksheets[0]
        for index, row in enumerate(ws.iter_rows(min_row=2, max_col=6, values_only=True), 2):
            if index > MAX_ROWS + 1:
                raise ImportValidationError([RowError(index, None, "tối đa 1.000 người mỗi tệp")])
            cells = [_text(v) for v in (list(row) + [None] * 6)[:6]]
            if not any(cells):
                continue
            name, username, email, phone, code, role_text = cells
            unit = by_code.get(code)
            if unit is None and code.isdigit():
                fits = [k for k in by_code if k.lstrip("0") == code.lstrip("0")]
                unit = by_code[fits[0]] if len(fits) == 1 else None
            if unit is None:
                errors.append(
                    RowError(index, COLUMNS[4], f"không có đơn vị mã “{code}” bạn quản trị")
                )
            roles = [ROLE_BY_NAME.get(fold(r)) for r in role_text.split(";") if r.strip()]
            if None in roles:
                errors.append(RowError(index, COLUMNS[5], f"vai trò “{role_text}” không hợp lệ"))
                roles = [r for r in roles if r]
            problems = services.user_errors(
                full_name=name,
                username=username,
                email=email,
                phone=services._clean_phone(phone),
                roles=roles,
            )
            fields = dict(zip(["full_name", "username", "email", "phone"], COLUMNS, strict=False))
            fields["roles"] = COLUMNS[5]
            for field, message in problems.items():
                if field == "roles" and any(
                    e.row == index and e.column == COLUMNS[5] for e in errors
                ):
                    continue
                errors.append(RowError(index, fields[field], message))
            if username and fold(username) in seen:
                errors.append(
                    RowError(
                        index, COLUMNS[1], f"trùng tên đăng nhập với dòng {seen[fold(username)]}"
                    )
                )
            seen.setdefault(fold(username), index)
            rows.append((unit, name, username, email, phone, roles))
    wb.close()
    if errors:
        raise ImportValidationError(errors)
    if not rows:
        raise ImportValidationError([RowError(None, None, "tệp không có dòng dữ liệu nào")])
    return [
        services.user_create(
            actor=actor,
            unit=unit,
            full_name=name,
            username=username,
            email=email,
            phone=phone,
            roles=roles,
            handover=services.HANDOVER_PASSWORD,
        )
        for unit, name, username, email, phone, roles in rows
    ]
