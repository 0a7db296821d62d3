"""Import administrative units and lineage from CSV.

Two unit layouts are accepted, told apart by the header row:

* **GSO layout** — the columns of the General Statistics Office's national
  list export (danhmuchanhchinh.gso.gov.vn), one row per commune-level unit:
  ``Tỉnh Thành Phố, Mã TP, Quận Huyện, Mã QH, Phường Xã, Mã PX, Cấp``
  (extra columns such as ``Tên Tiếng Anh`` are ignored). For the two-level
  structure in force since 1 July 2025, ``Quận Huyện`` and ``Mã QH`` are empty.
* **Tree layout** — ``Mã, Tên, Loại, Mã cấp trên``: one row per unit with the
  code of its parent (empty for the province). Parents come before children
  or already exist in the version. Useful for residential areas.

Lineage files have the columns ``Mã cũ, Tên cũ, Mã mới, Tên mới, Kiểu``
(kiểu: ``whole``/``toàn bộ`` or ``part``/``một phần``).

Every row is validated before anything is written; the first problem found
in each row is reported with its row number (the header is row 1, as in a
spreadsheet) and column, and nothing is written if any row is bad.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction

from mattran.core import versions
from mattran.core.audit import audit_record
from mattran.core.errors import ImportValidationError, RowError
from mattran.core.text import printable
from mattran.core.vietnamese import fold, nfc

from .models import Level, Lineage, LineageKind, StructureVersion, Unit
from .services import units_bulk_create

GSO_COLUMNS = ["Tỉnh Thành Phố", "Mã TP", "Quận Huyện", "Mã QH", "Phường Xã", "Mã PX", "Cấp"]
TREE_COLUMNS = ["Mã", "Tên", "Loại", "Mã cấp trên"]
LINEAGE_COLUMNS = ["Mã cũ", "Tên cũ", "Mã mới", "Tên mới", "Kiểu"]

CODE_RE = re.compile(r"^\d{1,10}$")
DISTRICT_KINDS = ["Thành phố", "Thị xã", "Quận", "Huyện"]
COMMUNE_KINDS = ["Phường", "Xã", "Thị trấn", "Đặc khu"]
RESIDENTIAL_KINDS = ["Tổ dân phố", "Khu dân cư", "Thôn", "Xóm", "Ấp", "Bản", "Khu phố", "Tổ"]


@dataclass
class ImportResult:
    created: int = 0
    reused: int = 0
    by_level: dict[int, int] = field(default_factory=dict)


def _kind_from_name(name: str, kinds: list[str], default: str) -> str:
    for k in kinds:
        if name.startswith(k + " "):
            return k
    return default


def _rows(stream: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(stream)
    for i, row in enumerate(reader, start=1):
        yield i, [nfc(printable(c.lstrip("\ufeff"))) for c in row]


def _header_index(header: list[str], expected: list[str], errors: list[RowError]) -> dict[str, int]:
    folded = {fold(h): i for i, h in enumerate(header)}
    index = {}
    for col in expected:
        i = folded.get(fold(col))
        if i is None:
            errors.append(RowError(1, col, f"thiếu cột '{col}' trong dòng tiêu đề"))
        else:
            index[col] = i
    return index


def _as_text_stream(source) -> Iterable[str]:
    if isinstance(source, bytes | bytearray):
        return io.StringIO(bytes(source).decode("utf-8-sig"))
    if hasattr(source, "read") and isinstance(source.read(0), bytes):
        return io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    return source


@transaction.atomic
def import_units_csv(
    *, actor, source, version: StructureVersion, source_name: str = ""
) -> ImportResult:
    """Import units into `version` from a CSV (text stream, binary file or bytes)."""
    rows = _rows(_as_text_stream(source))
    try:
        _, header = next(rows)
    except StopIteration:
        raise ImportValidationError([RowError(None, None, "tệp rỗng")]) from None
    folded = {fold(h) for h in header}
    if fold("Mã PX") in folded or fold("Phường Xã") in folded:
        nodes, errors = _parse_gso(header, rows, version)
        layout = "gso"
    elif fold("Mã cấp trên") in folded:
        nodes, errors = _parse_tree(header, rows, version)
        layout = "tree"
    else:
        errors = [
            RowError(
                1,
                None,
                "không nhận ra bố cục tệp: cần các cột "
                + ", ".join(GSO_COLUMNS)
                + " (danh mục của Tổng cục Thống kê) hoặc "
                + ", ".join(TREE_COLUMNS),
            )
        ]
        nodes = []
    if errors:
        raise ImportValidationError(errors)
    new = [n for n in nodes if n.pk is None]
    units_bulk_create(new)
    if new:  # the version's children lists kept in each process (its audit names no unit)
        versions.bump([f"sv:{version.pk}"])
    result = ImportResult(created=len(new), reused=len(nodes) - len(new))
    for n in new:
        result.by_level[n.level] = result.by_level.get(n.level, 0) + 1
    audit_record(
        actor=actor,
        action="units.import",
        after={
            "version": version.code,
            "layout": layout,
            "source": source_name,
            "created": result.created,
            "by_level": result.by_level,
        },
        note=f"Nhập {result.created} đơn vị vào {version.name}",
    )
    return result


def _parse_gso(header, rows, version) -> tuple[list[Unit], list[RowError]]:
    errors: list[RowError] = []
    idx = _header_index(header, GSO_COLUMNS, errors)
    if errors:
        return [], errors
    existing = {u.code: u for u in Unit.objects.filter(version=version).exclude(code="")}
    provinces: dict[str, Unit] = {}
    districts: dict[str, tuple[Unit, str, int]] = {}  # code -> (unit, province code, row)
    communes: dict[str, int] = {}
    nodes: list[Unit] = []

    def cell(row, col):
        i = idx[col]
        return row[i] if i < len(row) else ""

    for rownum, row in rows:
        if not any(row):
            continue
        p_name, p_code = cell(row, "Tỉnh Thành Phố"), cell(row, "Mã TP")
        d_name, d_code = cell(row, "Quận Huyện"), cell(row, "Mã QH")
        c_name, c_code, c_kind = cell(row, "Phường Xã"), cell(row, "Mã PX"), cell(row, "Cấp")
        problem = None
        for col, value in (
            ("Tỉnh Thành Phố", p_name),
            ("Mã TP", p_code),
            ("Phường Xã", c_name),
            ("Mã PX", c_code),
            ("Cấp", c_kind),
        ):
            if not value:
                problem = RowError(rownum, col, "không được để trống")
                break
        if problem is None:
            for col, value in (("Mã TP", p_code), ("Mã QH", d_code), ("Mã PX", c_code)):
                if value and not CODE_RE.match(value):
                    problem = RowError(rownum, col, f"mã '{value}' phải là dãy chữ số")
                    break
        if problem is None and bool(d_name) != bool(d_code):
            col = "Mã QH" if d_name else "Quận Huyện"
            problem = RowError(rownum, col, "tên và mã quận/huyện phải cùng có hoặc cùng trống")
        if problem:
            errors.append(problem)
            continue

        province = provinces.get(p_code)
        if province is None:
            province = existing.get(p_code)
            if province is not None and (
                province.level != Level.PROVINCE or fold(province.name) != fold(p_name)
            ):
                errors.append(
                    RowError(
                        rownum,
                        "Mã TP",
                        f"mã '{p_code}' đã là {province.name} trong {version.name}",
                    )
                )
                continue
            if province is None:
                province = Unit(
                    version=version,
                    parent=None,
                    level=Level.PROVINCE,
                    kind="Thành phố" if p_name.startswith("Thành phố") else "Tỉnh",
                    name=p_name,
                    code=p_code,
                )
                nodes.append(province)
            provinces[p_code] = province
        elif fold(province.name) != fold(p_name):
            errors.append(
                RowError(rownum, "Tỉnh Thành Phố", f"mã {p_code} đã mang tên '{province.name}'")
            )
            continue

        parent = province
        if d_code:
            known = districts.get(d_code)
            if known is None:
                district = existing.get(d_code)
                if district is not None and (
                    district.level != Level.DISTRICT or district.parent_id != province.pk
                ):
                    errors.append(
                        RowError(
                            rownum,
                            "Mã QH",
                            f"mã '{d_code}' đã là {district.name} trong {version.name}",
                        )
                    )
                    continue
                if district is None:
                    district = Unit(
                        version=version,
                        parent=province,
                        level=Level.DISTRICT,
                        kind=_kind_from_name(d_name, DISTRICT_KINDS, "Quận/Huyện"),
                        name=d_name,
                        code=d_code,
                    )
                    nodes.append(district)
                districts[d_code] = (district, p_code, rownum)
                parent = district
            else:
                district, known_p, first_row = known
                if known_p != p_code:
                    errors.append(
                        RowError(
                            rownum,
                            "Mã QH",
                            f"quận/huyện {d_code} đã thuộc tỉnh/thành phố mã {known_p} "
                            f"ở dòng {first_row}, không thể thuộc mã {p_code}",
                        )
                    )
                    continue
                if fold(district.name) != fold(d_name):
                    errors.append(
                        RowError(rownum, "Quận Huyện", f"mã {d_code} đã mang tên '{district.name}'")
                    )
                    continue
                parent = district
        if c_code in communes or c_code in existing or c_code in provinces or c_code in districts:
            where = f"dòng {communes[c_code]}" if c_code in communes else f"{version.name}"
            errors.append(RowError(rownum, "Mã PX", f"mã '{c_code}' bị trùng (đã có ở {where})"))
            continue
        communes[c_code] = rownum
        nodes.append(
            Unit(
                version=version,
                parent=parent,
                level=Level.COMMUNE,
                kind=c_kind,
                name=c_name,
                code=c_code,
            )
        )
    if not communes and not errors:
        errors.append(RowError(None, None, "tệp không có dòng dữ liệu nào"))
    return nodes, errors


def _level_for_kind(kind: str, has_parent: bool) -> int | None:
    if not has_parent:
        return Level.PROVINCE
    for kinds, level in (
        (COMMUNE_KINDS, Level.COMMUNE),
        (DISTRICT_KINDS, Level.DISTRICT),
        (RESIDENTIAL_KINDS, Level.RESIDENTIAL_AREA),
    ):
        if kind in kinds:
            return level
    return None


def _parse_tree(header, rows, version) -> tuple[list[Unit], list[RowError]]:
    errors: list[RowError] = []
    idx = _header_index(header, TREE_COLUMNS, errors)
    if errors:
        return [], errors
    existing = {u.code: u for u in Unit.objects.filter(version=version).exclude(code="")}
    seen: dict[str, tuple[Unit, int]] = {}
    nodes: list[Unit] = []
    for rownum, row in rows:
        if not any(row):
            continue
        code, name, kind, parent_code = (
            row[idx[c]] if idx[c] < len(row) else "" for c in TREE_COLUMNS
        )
        missing = next((c for c, v in (("Mã", code), ("Tên", name), ("Loại", kind)) if not v), None)
        if missing:
            errors.append(RowError(rownum, missing, "không được để trống"))
            continue
        if code in seen or code in existing:
            where = f"dòng {seen[code][1]}" if code in seen else version.name
            errors.append(RowError(rownum, "Mã", f"mã '{code}' bị trùng (đã có ở {where})"))
            continue
        parent = None
        if parent_code:
            parent = seen[parent_code][0] if parent_code in seen else existing.get(parent_code)
            if parent is None:
                errors.append(
                    RowError(
                        rownum,
                        "Mã cấp trên",
                        f"không có đơn vị mã '{parent_code}' trong tệp (ở các dòng trước) "
                        f"hay trong {version.name}",
                    )
                )
                continue
        level = _level_for_kind(kind, parent is not None)
        if level is None:
            errors.append(
                RowError(
                    rownum,
                    "Loại",
                    f"loại '{kind}' không hợp lệ; dùng một trong: "
                    + ", ".join(DISTRICT_KINDS + COMMUNE_KINDS + RESIDENTIAL_KINDS),
                )
            )
            continue
        if parent is not None and level <= parent.level:
            errors.append(
                RowError(rownum, "Loại", f"{kind} không thể nằm dưới {parent.kind} {parent.name}")
            )
            continue
        unit = Unit(version=version, parent=parent, level=level, kind=kind, name=name, code=code)
        seen[code] = (unit, rownum)
        nodes.append(unit)
    if not nodes and not errors:
        errors.append(RowError(None, None, "tệp không có dòng dữ liệu nào"))
    return nodes, errors


@transaction.atomic
def import_lineage_csv(
    *, actor, source, from_version: StructureVersion, to_version: StructureVersion
) -> int:
    """Import lineage rows (old unit → new unit); all-or-nothing. Returns rows created."""
    rows = _rows(_as_text_stream(source))
    errors: list[RowError] = []
    try:
        _, header = next(rows)
    except StopIteration:
        raise ImportValidationError([RowError(None, None, "tệp rỗng")]) from None
    if len(header) < 5:
        raise ImportValidationError([RowError(1, None, "cần 5 cột: " + ", ".join(LINEAGE_COLUMNS))])
    old_units = {u.code: u for u in Unit.objects.filter(version=from_version).exclude(code="")}
    new_units = {u.code: u for u in Unit.objects.filter(version=to_version).exclude(code="")}
    kinds = {
        "whole": LineageKind.WHOLE,
        fold("toàn bộ"): LineageKind.WHOLE,
        "part": LineageKind.PART,
        fold("một phần"): LineageKind.PART,
    }
    pairs: dict[tuple[str, str], int] = {}
    links: list[Lineage] = []
    for rownum, row in rows:
        if not any(row):
            continue
        row = row + [""] * (5 - len(row))
        old_code, old_name, new_code, new_name, kind = row[:5]
        old = old_units.get(old_code)
        new = new_units.get(new_code)
        if old is None:
            errors.append(
                RowError(rownum, header[0], f"không có mã '{old_code}' trong {from_version.name}")
            )
            continue
        if new is None:
            errors.append(
                RowError(rownum, header[2], f"không có mã '{new_code}' trong {to_version.name}")
            )
            continue
        if old_name and fold(old_name) != fold(old.name):
            errors.append(
                RowError(
                    rownum, header[1], f"mã {old_code} là '{old.name}', không phải '{old_name}'"
                )
            )
            continue
        if new_name and fold(new_name) != fold(new.name):
            errors.append(
                RowError(
                    rownum, header[3], f"mã {new_code} là '{new.name}', không phải '{new_name}'"
                )
            )
            continue
        k = kinds.get(fold(kind))
        if k is None:
            errors.append(
                RowError(rownum, header[4], f"'{kind}' phải là whole/part (toàn bộ/một phần)")
            )
            continue
        if (old_code, new_code) in pairs:
            errors.append(
                RowError(
                    rownum,
                    header[2],
                    f"cặp {old_code} → {new_code} trùng với dòng {pairs[(old_code, new_code)]}",
                )
            )
            continue
        pairs[(old_code, new_code)] = rownum
        links.append(Lineage(from_unit=old, to_unit=new, kind=k))
    if errors:
        raise ImportValidationError(errors)
    existing = set(
        Lineage.objects.filter(
            from_unit__version=from_version, to_unit__version=to_version
        ).values_list("from_unit_id", "to_unit_id")
    )
    links = [lk for lk in links if (lk.from_unit.pk, lk.to_unit.pk) not in existing]
    Lineage.objects.bulk_create(links)
    audit_record(
        actor=actor,
        action="lineage.import",
        after={"from": from_version.code, "to": to_version.code, "created": len(links)},
    )
    return len(links)
