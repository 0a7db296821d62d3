"""Writes of emulation pledges: clusters, pledges, their criteria and targets,
activation, unit ratings and manually entered figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from mattran.access.policy import Perm, require_perm
from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError, full_clean_or_raise
from mattran.core.vietnamese import nfc
from mattran.units.models import Unit

from .. import measures as measure_registry
from ..models import (
    MEASURE_KINDS,
    Criterion,
    CriterionKind,
    CriterionTarget,
    EmulationCluster,
    MeasureEntry,
    Pledge,
    PledgeMember,
    PledgeStatus,
    Rating,
    UnitRating,
)
from ..scoring import format_points
from ..uploads import file_safe_snapshot as snapshot
from ._common import _in_subtree, _text
from .planning import _figure_key

# =========================================================================== emulation


def _check_members(organiser: Unit, members: Sequence[Unit]) -> None:
    if not members:
        raise UserFacingError("Giao ước phải có ít nhất một đơn vị tham gia.")
    if len({m.pk for m in members}) != len(members):
        raise UserFacingError("Một đơn vị được chọn hai lần.")
    for m in members:
        if m.pk == organiser.pk or not _in_subtree(organiser, m):
            raise UserFacingError(f"{m.name} không thuộc phạm vi của {organiser.name}.")
    paths = sorted(m.path for m in members)
    for a, b in zip(paths, paths[1:], strict=False):
        if b.startswith(a):
            raise UserFacingError("Các đơn vị tham gia không được là cấp trên, cấp dưới của nhau.")


@transaction.atomic
def cluster_create(
    *, actor, unit: Unit, name: str, members: Sequence[Unit], note: str = ""
) -> EmulationCluster:
    require_perm(actor, Perm.EDIT, unit)
    _check_members(unit, members)
    cluster = EmulationCluster(unit=unit, name=_text(name, "Tên cụm"), note=nfc(note))
    full_clean_or_raise(cluster)
    cluster.save()
    cluster.members.set(members)
    audit_record(
        actor=actor,
        action="cluster.create",
        obj=cluster,
        unit=unit,
        after={**snapshot(cluster), "members": [m.pk for m in members]},
    )
    return cluster


@transaction.atomic
def pledge_create(
    *,
    actor,
    unit: Unit,
    year: int,
    title: str,
    members: Sequence[Unit] | None = None,
    cluster: EmulationCluster | None = None,
    scale_points: Decimal = Decimal(100),
    note: str = "",
) -> Pledge:
    """A pledge of `members` (default: the cluster's members, else the unit's children)."""
    require_perm(actor, Perm.EDIT, unit)
    if cluster is not None and cluster.unit_id != unit.pk:
        raise UserFacingError("Cụm thi đua không thuộc đơn vị tổ chức.")
    if members is None:
        members = (
            list(cluster.members.order_by("name"))
            if cluster is not None
            else list(Unit.objects.filter(parent=unit).order_by("name"))
        )
    members = list(members)
    _check_members(unit, members)
    pledge = Pledge(
        unit=unit,
        year=year,
        title=_text(title, "Tên giao ước"),
        cluster=cluster,
        scale_points=scale_points,
        note=_text(note, "Ghi chú", required=False),
    )
    full_clean_or_raise(pledge)
    pledge.save()
    PledgeMember.objects.bulk_create(
        [PledgeMember(pledge=pledge, unit=m, order=i) for i, m in enumerate(members, start=1)]
    )
    audit_record(
        actor=actor,
        action="pledge.create",
        obj=pledge,
        unit=unit,
        after={**snapshot(pledge), "members": [m.pk for m in members]},
    )
    return pledge


def _lock_pledge(pledge: Pledge) -> Pledge:
    """Re-read the pledge with a row lock: scoring, verifying and locking serialise on it."""
    return Pledge.objects.select_for_update().select_related("unit").get(pk=pledge.pk)


def _pledge_in_setup(actor, pledge: Pledge) -> Pledge:
    pledge = _lock_pledge(pledge)
    require_perm(actor, Perm.EDIT, pledge.unit)
    if pledge.status != PledgeStatus.DRAFT:
        raise UserFacingError("Giao ước đã ký kết: không thêm, sửa hay xóa tiêu chí được nữa.")
    return pledge


@dataclass(frozen=True)
class CriterionInput:
    code: str
    short_name: str
    text: str
    kind: str
    points: Decimal
    measure_key: str = ""
    target: int | None = None
    target_max: int | None = None
    bonus_points: Decimal = Decimal(0)
    penalty_points: Decimal = Decimal(0)
    partial_credit: bool = False
    points_good: Decimal | None = None
    points_done: Decimal | None = None


def _criterion_apply(criterion: Criterion, data: CriterionInput) -> None:
    if data.kind not in CriterionKind.values:
        raise UserFacingError("Loại tiêu chí không hợp lệ.")
    criterion.code = nfc(data.code)
    criterion.short_name = _text(data.short_name, "Tên ngắn của tiêu chí")
    criterion.text = _text(data.text, "Nội dung tiêu chí")
    criterion.kind = data.kind
    criterion.points = Decimal(data.points)
    criterion.bonus_points = Decimal(data.bonus_points or 0)
    criterion.penalty_points = Decimal(data.penalty_points or 0)
    criterion.partial_credit = bool(data.partial_credit)
    criterion.points_good = data.points_good
    criterion.points_done = data.points_done
    criterion.measure_key = data.measure_key or ""
    criterion.target = data.target
    criterion.target_max = data.target_max
    if not criterion.code:
        raise UserFacingError("Ký hiệu tiêu chí không được để trống.")
    if data.kind in MEASURE_KINDS:
        if not criterion.measure_key:
            raise UserFacingError(
                f"Tiêu chí {criterion.code}: cần chọn một chỉ số đo có trong danh mục."
            )
        criterion.measure_key = _figure_key(
            criterion.measure_key, f"Tiêu chí {criterion.code}: chỉ số đo"
        )
        if data.kind == CriterionKind.RANGE and (data.target is None or data.target_max is None):
            raise UserFacingError(
                f"Tiêu chí {criterion.code}: chỉ tiêu theo khoảng cần mức tối thiểu và tối đa."
            )
        if data.kind == CriterionKind.THRESHOLD and data.target is None:
            raise UserFacingError(f"Tiêu chí {criterion.code}: cần nhập chỉ tiêu.")
    else:
        criterion.measure_key = ""
        criterion.target = criterion.target_max = None
    if data.kind != CriterionKind.RATING:
        criterion.points_good = criterion.points_done = None
    else:
        for label, value in (
            ("hoàn thành tốt", data.points_good),
            ("hoàn thành", data.points_done),
        ):
            if value is not None and value > criterion.points:
                raise UserFacingError(
                    f"Tiêu chí {criterion.code}: điểm khi {label} không được lớn hơn điểm chuẩn."
                )


@transaction.atomic
def criterion_create(*, actor, pledge: Pledge, data: CriterionInput) -> Criterion:
    pledge = _pledge_in_setup(actor, pledge)
    last = pledge.criteria.aggregate(m=Max("order"))["m"] or 0
    criterion = Criterion(pledge=pledge, order=last + 1)
    _criterion_apply(criterion, data)
    if pledge.criteria.filter(code=criterion.code).exists():
        raise UserFacingError(f"Đã có tiêu chí ký hiệu {criterion.code}.")
    full_clean_or_raise(criterion)
    criterion.save()
    audit_record(
        actor=actor,
        action="criterion.create",
        obj=criterion,
        unit=pledge.unit,
        after=snapshot(criterion),
    )
    return criterion


@transaction.atomic
def criterion_update(*, actor, criterion: Criterion, data: CriterionInput) -> Criterion:
    pledge = _pledge_in_setup(actor, criterion.pledge)
    before = snapshot(criterion)
    _criterion_apply(criterion, data)
    if pledge.criteria.filter(code=criterion.code).exclude(pk=criterion.pk).exists():
        raise UserFacingError(f"Đã có tiêu chí ký hiệu {criterion.code}.")
    full_clean_or_raise(criterion)
    criterion.save()
    audit_record(
        actor=actor,
        action="criterion.update",
        obj=criterion,
        unit=pledge.unit,
        before=before,
        after=snapshot(criterion),
    )
    return criterion


@transaction.atomic
def criterion_delete(*, actor, criterion: Criterion) -> None:
    pledge = _pledge_in_setup(actor, criterion.pledge)
    audit_record(
        actor=actor,
        action="criterion.delete",
        obj=criterion,
        unit=pledge.unit,
        before=snapshot(criterion),
    )
    criterion.targets.all().delete()
    criterion.delete()


@transaction.atomic
def criterion_targets_set(
    *,
    actor,
    criterion: Criterion,
    targets: dict[int, tuple[int | None, int | None]],
) -> int:
    """Set per-unit targets {unit_id: (target, target_max)}; (None, None) removes one.

    Allowed until the pledge is locked (the district may adjust a quota during
    the year; every change is audited with the old and new figure).
    """
    pledge = _lock_pledge(criterion.pledge)
    require_perm(actor, Perm.EDIT, pledge.unit)
    if pledge.is_locked:
        raise UserFacingError("Kết quả giao ước đã khóa.")
    if not criterion.uses_measure:
        raise UserFacingError("Tiêu chí này không có chỉ tiêu theo số liệu.")
    member_ids = set(pledge.members.values_list("unit_id", flat=True))
    existing = {t.unit_id: t for t in criterion.targets.all()}
    before = {str(k): [v.target, v.target_max] for k, v in existing.items()}
    errors = []
    changed = 0
    names = dict(Unit.objects.filter(pk__in=targets.keys()).values_list("pk", "name"))
    for unit_id, (target, target_max) in targets.items():
        name = names.get(unit_id, str(unit_id))
        if unit_id not in member_ids:
            errors.append(f"{name} không tham gia giao ước.")
            continue
        if target is None and target_max is None:
            if unit_id in existing:
                existing[unit_id].delete()
                changed += 1
            continue
        if target is None or target < 0:
            errors.append(f"{name}: chỉ tiêu phải là số không âm.")
            continue
        if target_max is not None and target_max < target:
            errors.append(f"{name}: mức tối đa phải lớn hơn hoặc bằng mức tối thiểu.")
            continue
        row = existing.get(unit_id)
        if row is None:
            CriterionTarget.objects.create(
                criterion=criterion, unit_id=unit_id, target=target, target_max=target_max
            )
            changed += 1
        elif (row.target, row.target_max) != (target, target_max):
            row.target, row.target_max = target, target_max
            row.save(update_fields=["target", "target_max"])
            changed += 1
    if errors:
        raise UserFacingError("; ".join(errors))
    if changed:
        audit_record(
            actor=actor,
            action="criterion.targets_set",
            obj=criterion,
            unit=pledge.unit,
            before=before,
            after={str(k): list(v) for k, v in targets.items()},
        )
    return changed


@transaction.atomic
def pledge_activate(*, actor, pledge: Pledge, signed_on: dt.date) -> Pledge:
    """The pledge is signed: criteria are fixed, progress is tracked, scoring may start."""
    pledge = _pledge_in_setup(actor, pledge)
    criteria = list(pledge.criteria.all())
    if not criteria:
        raise UserFacingError("Giao ước chưa có tiêu chí nào.")
    total = sum((c.points for c in criteria), Decimal(0))
    if total != pledge.scale_points:
        raise UserFacingError(
            f"Tổng điểm chuẩn các tiêu chí là {format_points(total)}, "
            f"khác thang điểm {format_points(pledge.scale_points)}."
        )
    members = set(pledge.members.values_list("unit_id", flat=True))
    for c in criteria:
        if c.kind == CriterionKind.QUOTA:
            assigned = set(c.targets.values_list("unit_id", flat=True))
            missing = members - assigned
            if missing:
                names = ", ".join(
                    Unit.objects.filter(pk__in=missing)
                    .order_by("name")
                    .values_list("name", flat=True)
                )
                raise UserFacingError(f"Tiêu chí {c.code}: chưa giao chỉ tiêu cho {names}.")
    if signed_on.year not in (pledge.year, pledge.year - 1):
        raise UserFacingError(
            f"Ngày ký {signed_on:%d/%m/%Y} không khớp với năm của giao ước ({pledge.year})."
        )
    before = snapshot(pledge)
    pledge.status = PledgeStatus.ACTIVE
    pledge.signed_on = signed_on
    pledge.save(update_fields=["status", "signed_on"])
    audit_record(
        actor=actor,
        action="pledge.activate",
        obj=pledge,
        unit=pledge.unit,
        before=before,
        after=snapshot(pledge),
    )
    return pledge


# ----------------------------------------------------------- ratings and manual figures


@transaction.atomic
def unit_rating_set(*, actor, unit: Unit, year: int, rating: str, note: str = "") -> UnitRating:
    """The level above rates a unit's Front work for the year."""
    if unit.parent_id is None:
        raise UserFacingError("Đơn vị cấp cao nhất không có cấp trên để xếp loại.")
    require_perm(actor, Perm.APPROVE, unit.parent)
    if rating not in Rating.values:
        raise UserFacingError("Mức xếp loại không hợp lệ.")
    row = UnitRating.objects.filter(unit=unit, year=year).first()
    before = snapshot(row)
    if row is None:
        row = UnitRating(unit=unit, year=year)
    row.rating = rating
    row.note = nfc(note)
    row.rated_by = actor if getattr(actor, "is_authenticated", False) else None
    full_clean_or_raise(row, exclude=["rated_by"])
    row.save()
    audit_record(
        actor=actor,
        action="unit_rating.set",
        obj=row,
        unit=unit,
        before=before,
        after=snapshot(row),
    )
    return row


@transaction.atomic
def measure_entry_create(
    *, actor, measure_key: str, unit: Unit, on: dt.date, value: int, note: str = ""
) -> MeasureEntry:
    measure = measure_registry.get(measure_key)
    if measure is None or not measure.is_manual:
        raise UserFacingError("Chỉ số này không nhập tay được: số liệu lấy từ hồ sơ, sổ quỹ.")
    measure_key = measure.key
    require_perm(actor, Perm.EDIT, unit)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UserFacingError("Giá trị phải là số nguyên không âm.")
    entry = MeasureEntry(
        measure_key=measure_key,
        unit=unit,
        on=on,
        value=value,
        note=_text(note, "Nội dung", required=False),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    full_clean_or_raise(entry, exclude=["created_by"])
    entry.save()
    audit_record(
        actor=actor, action="measure_entry.create", obj=entry, unit=unit, after=snapshot(entry)
    )
    return entry


@transaction.atomic
def measure_entry_delete(*, actor, entry: MeasureEntry) -> None:
    require_perm(actor, Perm.EDIT, entry.unit)
    audit_record(
        actor=actor,
        action="measure_entry.delete",
        obj=entry,
        unit=entry.unit,
        before=snapshot(entry),
    )
    entry.delete()
