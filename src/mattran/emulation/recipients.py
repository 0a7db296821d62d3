"""Many recipients of one commendation decision, pasted or uploaded (issue 11).

One recipient per line (pasted text: columns separated by a tab, as copied
from a spreadsheet, or by ";"; XLSX: first sheet, header row, same columns):

    Tên tập thể hoặc cá nhân ; Chức danh / đơn vị công tác ; Thành tích

A name is a collective when it is a unit of the decision's subtree (by name or
code; residential areas included: "Tổ dân phố 1 (Phường Lam Hạ)" names the
parent when the name alone is ambiguous) or one of its member organisations;
otherwise an individual. Every line is resolved before anything is written;
bad lines are reported by number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mattran.core.errors import ImportValidationError, RowError
from mattran.core.uploads import xlsx_open, xlsx_reading
from mattran.core.vietnamese import fold, nfc
from mattran.units.models import MemberOrganisation, Unit

from .models import AwardType, RecipientKind

COLUMNS = ["Tên tập thể hoặc cá nhân", "Chức danh / đơn vị công tác", "Thành tích"]
MAX_LINES = 2000
_PARENT_RE = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")


@dataclass(frozen=True)
class RecipientLine:
    line: int
    name: str
    title: str
    achievement: str
    unit: Unit | None = None
    member_organisation: MemberOrganisation | None = None

    @property
    def is_person(self) -> bool:
        return self.unit is None and self.member_organisation is None


def lines_from_text(text: str) -> list[tuple[int, list[str]]]:
    out = []
    for i, raw in enumerate((text or "").replace("\r\n", "\n").split("\n"), start=1):
        if not raw.strip():
            continue
        cells = raw.split("\t") if "\t" in raw else raw.split(";")
        out.append((i, [nfc(c).strip() for c in cells]))
    return out


def lines_from_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    wb = xlsx_open(data)
    out = []
    with xlsx_reading():
        for i, row in enumerate(wb.worksheets[0].iter_rows(max_col=3, values_only=True), start=1):
            cells = ["" if v is None else nfc(str(v)).strip() for v in row]
            if i == 1 and cells and fold(cells[0]) == fold(COLUMNS[0]):
                continue
            if any(cells):
                out.append((i, cells))
    wb.close()
    return out


def recipients_resolve(
    *, scope: Unit, award_type: AwardType, lines: list[tuple[int, list[str]]]
) -> list[RecipientLine]:
    """Resolve every line (two queries in all); ImportValidationError lists bad lines."""
    if len(lines) > MAX_LINES:
        raise ImportValidationError([RowError(None, None, f"tối đa {MAX_LINES} dòng mỗi lần")])
    units = list(Unit.objects.filter(Unit.subtree_q(scope.path)).select_related("parent"))
    by_key: dict[str, list[Unit]] = {}
    for u in units:
        by_key.setdefault(fold(u.name), []).append(u)
        if u.code:
            by_key.setdefault(u.code, []).append(u)
    orgs: dict[str, list[MemberOrganisation]] = {}
    for o in MemberOrganisation.objects.filter(Unit.subtree_q(scope.path, prefix="unit__")):
        orgs.setdefault(fold(o.name), []).append(o)
        if o.short_name:
            orgs.setdefault(fold(o.short_name), []).append(o)
    errors: list[RowError] = []
    out: list[RecipientLine] = []
    kind = award_type.recipient_kind
    for number, cells in lines:
        cells = (cells + ["", "", ""])[:3]
        name, title, achievement = cells
        if not name:
            errors.append(RowError(number, COLUMNS[0], "chưa ghi tên"))
            continue
        unit = org = None
        if kind != RecipientKind.INDIVIDUAL:
            key, parent = fold(name), None
            if (m := _PARENT_RE.match(name)) and fold(m.group(1)) in by_key:
                key, parent = fold(m.group(1)), fold(m.group(2))
            found = by_key.get(key, []) or by_key.get(name, [])
            if parent:
                found = [u for u in found if u.parent and fold(u.parent.name) == parent]
            if len(found) > 1:
                listed = "; ".join(
                    f"{u.name}{f' ({u.parent.name})' if u.parent else ''}" for u in found[:5]
                )
                errors.append(
                    RowError(
                        number,
                        COLUMNS[0],
                        f"có {len(found)} đơn vị tên “{name}”: {listed}. "
                        "Ghi thêm đơn vị cấp trên trong ngoặc hoặc ghi mã.",
                    )
                )
                continue
            unit = found[0] if found else None
            if unit is None and len(matches := orgs.get(fold(name), [])) == 1:
                org = matches[0]
            if unit is None and org is None and kind == RecipientKind.COLLECTIVE:
                errors.append(
                    RowError(
                        number,
                        COLUMNS[0],
                        f"không tìm thấy tập thể “{name}” (đơn vị, khu dân cư hoặc tổ chức "
                        f"thành viên) thuộc {scope.name}; {award_type.name} chỉ tặng tập thể",
                    )
                )
                continue
        out.append(RecipientLine(number, name, title, achievement, unit, org))
    if errors:
        raise ImportValidationError(errors)
    if not out:
        raise ImportValidationError([RowError(None, None, "chưa có người, tập thể nào")])
    return out
