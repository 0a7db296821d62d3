"""Writes for planning, emulation, commendation and conferences.

Every function is atomic, keyword-only, validates before it writes, checks the
actor's permission through the access policy, and records its audit event in
the same transaction. Who may do what:

- key tasks, coordination programs, pledge set-up, conferences: EDIT on the
  committee's unit;
- self-scoring and evidence: EDIT on the member unit;
- verification, locking, rating a unit: APPROVE on the organiser (for a rating:
  on the level above the rated unit);
- reopening a locked pledge: ADMINISTER on the organiser;
- commendation proposals and decisions: EDIT or APPROVE on the unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from mattran.access.policy import Perm, require_any_perm, require_perm
from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError, full_clean_or_raise
from mattran.core.uploads import original_name
from mattran.core.vietnamese import nfc
from mattran.units.models import MemberOrganisation, Person, Unit

from . import measures as measure_registry
from .models import (
    MEASURE_KINDS,
    AgendaItem,
    AwardType,
    Commendation,
    CommendationDecision,
    CommendationProposal,
    Conference,
    ConferenceAttendee,
    CoordinationProgram,
    Criterion,
    CriterionKind,
    CriterionScore,
    CriterionTarget,
    EmulationCluster,
    Evidence,
    KeyTask,
    KeyTaskMeasure,
    MeasureEntry,
    Pledge,
    PledgeMember,
    PledgeStatus,
    ProgramItem,
    ProgramSignatory,
    ProgramStatus,
    ProposalStatus,
    Rating,
    ScoreSheet,
    SheetStatus,
    SignatorySide,
    UnitRating,
)
from .scoring import format_points, rank, validate_points
from .uploads import file_safe_snapshot as snapshot
from .wording import committee_name

# ----------------------------------------------------------------------------- helpers


def _text(value: str | None, label: str, *, required: bool = True) -> str:
    """NFC text keeping paragraph breaks (only whitespace inside a line collapses)."""
    lines = [nfc(line) for line in (value or "").replace("\r\n", "\n").split("\n")]
    text = "\n".join(line for line in lines if line).strip()
    if required and not text:
        raise UserFacingError(f"{label} không được để trống.")
    return text


def _now():
    return timezone.now()


def _in_subtree(root: Unit, unit: Unit) -> bool:
    return unit.path.startswith(root.path)


# ============================================================================ planning


@transaction.atomic
def key_task_create(
    *,
    actor,
    unit: Unit,
    year: int,
    text: str,
    owner_person: Person | None = None,
    owner_member_organisation: MemberOrganisation | None = None,
    note: str = "",
    measures: Sequence[tuple[str, int | None]] = (),
) -> KeyTask:
    require_perm(actor, Perm.EDIT, unit)
    _check_owner(unit, owner_member_organisation)
    last = KeyTask.objects.filter(unit=unit, year=year).aggregate(m=Max("order"))["m"] or 0
    task = KeyTask(
        unit=unit,
        year=year,
        order=last + 1,
        text=_text(text, "Nội dung nhiệm vụ"),
        owner_person=owner_person,
        owner_member_organisation=owner_member_organisation,
        note=nfc(note),
    )
    full_clean_or_raise(task)
    task.save()
    _key_task_measures_set(task, measures)
    audit_record(
        actor=actor,
        action="key_task.create",
        obj=task,
        unit=unit,
        after={**snapshot(task), "measures": list(measures)},
    )
    return task


def _check_owner(unit: Unit, org: MemberOrganisation | None) -> None:
    if org is not None and org.unit_id != unit.pk:
        raise UserFacingError(f"{org.name} không phải tổ chức thành viên của {unit.name}.")


def _figure_key(key: str, what: str) -> str:
    """The canonical figure key, or a Vietnamese error naming it and the valid families."""
    try:
        return measure_registry.validate(key)
    except ValidationError as exc:
        raise UserFacingError(f"{what} “{key}” không tồn tại: {' '.join(exc.messages)}") from None


def _key_task_measures_set(task: KeyTask, measures: Sequence[tuple[str, int | None]]) -> None:
    keys = [k for k, _ in measures]
    if len(set(keys)) != len(keys):
        raise UserFacingError("Một chỉ số chỉ được gắn một lần vào nhiệm vụ.")
    measures = [(_figure_key(key, "Chỉ số"), target) for key, target in measures]
    for _, target in measures:
        if target is not None and target < 0:
            raise UserFacingError("Chỉ tiêu không được âm.")
    task.measures.all().delete()
    KeyTaskMeasure.objects.bulk_create(
        [KeyTaskMeasure(key_task=task, measure_key=k, target=t) for k, t in measures]
    )


@transaction.atomic
def key_task_update(
    *,
    actor,
    task: KeyTask,
    text: str,
    owner_person: Person | None = None,
    owner_member_organisation: MemberOrganisation | None = None,
    note: str = "",
    measures: Sequence[tuple[str, int | None]] = (),
) -> KeyTask:
    require_perm(actor, Perm.EDIT, task.unit)
    _check_owner(task.unit, owner_member_organisation)
    before = {
        **snapshot(task),
        "measures": list(task.measures.values_list("measure_key", "target")),
    }
    task.text = _text(text, "Nội dung nhiệm vụ")
    task.owner_person = owner_person
    task.owner_member_organisation = owner_member_organisation
    task.note = nfc(note)
    full_clean_or_raise(task)
    # Only the edited fields: `order` on this instance may be stale after a move.
    task.save(update_fields=["text", "owner_person", "owner_member_organisation", "note"])
    _key_task_measures_set(task, measures)
    audit_record(
        actor=actor,
        action="key_task.update",
        obj=task,
        unit=task.unit,
        before=before,
        after={**snapshot(task), "measures": [list(m) for m in measures]},
    )
    return task


@transaction.atomic
def key_task_delete(*, actor, task: KeyTask) -> None:
    require_perm(actor, Perm.EDIT, task.unit)
    if task.program_items.exists():
        raise UserFacingError(
            "Nhiệm vụ đã được dẫn chiếu trong chương trình phối hợp, không xóa được."
        )
    before = snapshot(task)
    unit, year, order = task.unit, task.year, task.order
    audit_record(actor=actor, action="key_task.delete", obj=task, unit=unit, before=before)
    task.delete()
    for t in KeyTask.objects.filter(unit=unit, year=year, order__gt=order).order_by("order"):
        t.order -= 1
        t.save(update_fields=["order"])


@transaction.atomic
def key_task_move(*, actor, task: KeyTask, step: int) -> KeyTask:
    """Move a task up (step -1) or down (+1) in its year's list."""
    require_perm(actor, Perm.EDIT, task.unit)
    siblings = list(KeyTask.objects.filter(unit=task.unit, year=task.year).order_by("order", "id"))
    index = next(i for i, t in enumerate(siblings) if t.pk == task.pk)
    other = index + step
    if step not in (-1, 1) or not 0 <= other < len(siblings):
        return task
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, t in enumerate(siblings, start=1):
        if t.order != position:
            t.order = position
            t.save(update_fields=["order"])
    task.refresh_from_db()
    audit_record(
        actor=actor,
        action="key_task.move",
        obj=task,
        unit=task.unit,
        after={"order": task.order},
    )
    return task


# -------------------------------------------------------------- coordination programs


@transaction.atomic
def program_create(
    *,
    actor,
    unit: Unit,
    member_organisation: MemberOrganisation,
    year: int,
    title: str,
    note: str = "",
) -> CoordinationProgram:
    require_perm(actor, Perm.EDIT, unit)
    if member_organisation.unit_id != unit.pk:
        raise UserFacingError(
            f"{member_organisation.name} không phải tổ chức thành viên của {unit.name}."
        )
    if CoordinationProgram.objects.filter(
        unit=unit, member_organisation=member_organisation, year=year
    ).exists():
        raise UserFacingError(
            f"Đã có chương trình phối hợp năm {year} với {member_organisation.name}."
        )
    program = CoordinationProgram(
        unit=unit,
        member_organisation=member_organisation,
        year=year,
        title=_text(title, "Tên chương trình"),
        note=_text(note, "Ghi chú", required=False),
    )
    full_clean_or_raise(program)
    program.save()
    audit_record(
        actor=actor, action="program.create", obj=program, unit=unit, after=snapshot(program)
    )
    return program


def _program_editable(actor, program: CoordinationProgram) -> None:
    require_perm(actor, Perm.EDIT, program.unit)
    if program.status == ProgramStatus.SIGNED:
        raise UserFacingError("Chương trình đã ký kết, không sửa nội dung được nữa.")


@transaction.atomic
def program_item_add(
    *,
    actor,
    program: CoordinationProgram,
    content: str,
    lead: str = "",
    timeframe: str = "",
    key_task: KeyTask | None = None,
) -> ProgramItem:
    _program_editable(actor, program)
    if key_task is not None and (key_task.unit_id != program.unit_id):
        raise UserFacingError("Nhiệm vụ trọng tâm phải thuộc cùng ủy ban với chương trình.")
    last = program.items.aggregate(m=Max("order"))["m"] or 0
    item = ProgramItem(
        program=program,
        order=last + 1,
        content=_text(content, "Nội dung phối hợp"),
        lead=nfc(lead),
        timeframe=nfc(timeframe),
        key_task=key_task,
    )
    full_clean_or_raise(item)
    item.save()
    audit_record(
        actor=actor,
        action="program.item_add",
        obj=program,
        unit=program.unit,
        after=snapshot(item),
    )
    return item


@transaction.atomic
def program_item_delete(*, actor, item: ProgramItem) -> None:
    program = item.program
    _program_editable(actor, program)
    audit_record(
        actor=actor,
        action="program.item_delete",
        obj=program,
        unit=program.unit,
        before=snapshot(item),
    )
    item.delete()


@transaction.atomic
def program_signatory_add(
    *,
    actor,
    program: CoordinationProgram,
    side: str,
    title: str,
    full_name: str = "",
    person: Person | None = None,
) -> ProgramSignatory:
    _program_editable(actor, program)
    if side not in SignatorySide.values:
        raise UserFacingError("Bên ký không hợp lệ.")
    signatory = ProgramSignatory(
        program=program,
        side=side,
        person=person,
        full_name=nfc(full_name) or (person.full_name if person else ""),
        title=_text(title, "Chức danh người ký"),
    )
    full_clean_or_raise(signatory)
    signatory.save()
    audit_record(
        actor=actor,
        action="program.signatory_add",
        obj=program,
        unit=program.unit,
        after=snapshot(signatory),
    )
    return signatory


@transaction.atomic
def program_signatory_delete(*, actor, signatory: ProgramSignatory) -> None:
    program = signatory.program
    _program_editable(actor, program)
    audit_record(
        actor=actor,
        action="program.signatory_delete",
        obj=program,
        unit=program.unit,
        before=snapshot(signatory),
    )
    signatory.delete()


@transaction.atomic
def program_sign(*, actor, program: CoordinationProgram, signed_on: dt.date) -> CoordinationProgram:
    _program_editable(actor, program)
    if not program.items.exists():
        raise UserFacingError("Chương trình chưa có nội dung phối hợp nào.")
    sides = set(program.signatories.values_list("side", flat=True))
    if sides != {SignatorySide.COMMITTEE, SignatorySide.MEMBER_ORG}:
        raise UserFacingError(
            "Cần có người ký của cả Ủy ban MTTQ và tổ chức thành viên trước khi ký kết."
        )
    if signed_on.year not in (program.year, program.year - 1):
        raise UserFacingError(
            f"Ngày ký {signed_on:%d/%m/%Y} không khớp với năm của chương trình ({program.year})."
        )
    before = snapshot(program)
    program.status = ProgramStatus.SIGNED
    program.signed_on = signed_on
    full_clean_or_raise(program)
    program.save()
    audit_record(
        actor=actor,
        action="program.sign",
        obj=program,
        unit=program.unit,
        before=before,
        after=snapshot(program),
    )
    return program


@transaction.atomic
def program_document_attach(*, actor, program: CoordinationProgram, file) -> CoordinationProgram:
    """Attach the signed document (scan or file); allowed before and after signing."""
    require_perm(actor, Perm.EDIT, program.unit)
    before = snapshot(program)
    program.document = file
    program.document_name = original_name(file)
    full_clean_or_raise(program)
    program.save()
    audit_record(
        actor=actor,
        action="program.document_attach",
        obj=program,
        unit=program.unit,
        before=before,
        after=snapshot(program),
    )
    return program


def program_title(unit: Unit, organisation: MemberOrganisation, year: int) -> str:
    return (
        f"Chương trình phối hợp công tác năm {year} giữa {committee_name(unit)} "
        f"và {organisation.name}"
    )


@transaction.atomic
def programs_create_for_all(
    *, actor, unit: Unit, year: int, items_from_key_tasks: bool = True, note: str = ""
) -> list[CoordinationProgram]:
    """Draft a program with every member organisation that has none for the year.

    Items: one per key task of the year (the committee and its member
    organisations coordinate on the key tasks). Signatories: the committee's
    chair, and the organisation's head where known (else the title alone).
    """
    require_perm(actor, Perm.EDIT, unit)
    from .selectors import committee_chair

    chair = committee_chair(unit=unit, year=year)
    tasks = (
        list(KeyTask.objects.filter(unit=unit, year=year).order_by("order"))
        if (items_from_key_tasks)
        else []
    )
    created = []
    organisations = (
        MemberOrganisation.objects.filter(unit=unit)
        .exclude(coordination_programs__year=year)
        .select_related("head")
        .order_by("order", "name")
    )
    for org in organisations:
        program = program_create(
            actor=actor,
            unit=unit,
            member_organisation=org,
            year=year,
            title=program_title(unit, org, year),
            note=note,
        )
        ProgramItem.objects.bulk_create(
            [
                ProgramItem(
                    program=program,
                    order=i,
                    content=t.text,
                    key_task=t,
                    lead=f"{committee_name(unit)} chủ trì, {org.name} phối hợp",
                    timeframe=f"Năm {year}",
                )
                for i, t in enumerate(tasks, start=1)
            ]
        )
        signatories = []
        if chair is not None:
            signatories.append(
                ProgramSignatory(
                    program=program,
                    side=SignatorySide.COMMITTEE,
                    person=chair.person,
                    full_name=chair.person.full_name,
                    title=f"Chủ tịch {committee_name(unit)}",
                )
            )
        signatories.append(
            ProgramSignatory(
                program=program,
                side=SignatorySide.MEMBER_ORG,
                person=org.head,
                full_name=org.head.full_name if org.head else "",
                title=org.head_title or f"Người đứng đầu {org.name}",
            )
        )
        ProgramSignatory.objects.bulk_create(signatories)
        audit_record(
            actor=actor,
            action="program.draft_contents",
            obj=program,
            unit=unit,
            after={
                "items": [t.pk for t in tasks],
                "signatories": [(s.side, s.full_name, s.title) for s in signatories],
            },
        )
        created.append(program)
    return created


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


# ------------------------------------------------------------------ evidence and scores


def _member_check(pledge: Pledge, unit: Unit) -> None:
    if not pledge.members.filter(unit=unit).exists():
        raise UserFacingError(f"{unit.name} không tham gia giao ước này.")


@transaction.atomic
def evidence_add(*, actor, criterion: Criterion, unit: Unit, file=None, note: str = "") -> Evidence:
    pledge = _lock_pledge(criterion.pledge)
    require_perm(actor, Perm.EDIT, unit)
    _member_check(pledge, unit)
    if pledge.status != PledgeStatus.ACTIVE:
        raise UserFacingError("Chỉ nộp minh chứng khi giao ước đang thực hiện.")
    sheet = ScoreSheet.objects.filter(pledge=pledge, unit=unit).first()
    if sheet is not None and sheet.status != SheetStatus.DRAFT:
        raise UserFacingError("Phiếu chấm điểm đã gửi: không thêm minh chứng được nữa.")
    note = _text(note, "Mô tả", required=False)
    if not file and not note:
        raise UserFacingError("Minh chứng cần một tệp hoặc một mô tả.")
    evidence = Evidence(
        criterion=criterion,
        unit=unit,
        file=file or "",
        file_name=original_name(file) if file else "",
        note=note,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    full_clean_or_raise(evidence, exclude=["uploaded_by"])
    evidence.save()
    audit_record(
        actor=actor, action="evidence.add", obj=evidence, unit=unit, after=snapshot(evidence)
    )
    return evidence


@transaction.atomic
def evidence_delete(*, actor, evidence: Evidence) -> None:
    pledge = _lock_pledge(evidence.criterion.pledge)
    require_perm(actor, Perm.EDIT, evidence.unit)
    sheet = ScoreSheet.objects.filter(pledge=pledge, unit=evidence.unit).first()
    if pledge.is_locked or (sheet is not None and sheet.status != SheetStatus.DRAFT):
        raise UserFacingError("Phiếu chấm điểm đã gửi: không xóa minh chứng được.")
    audit_record(
        actor=actor,
        action="evidence.delete",
        obj=evidence,
        unit=evidence.unit,
        before=snapshot(evidence),
    )
    evidence.delete()


@transaction.atomic
def score_sheet_ensure(*, actor, pledge: Pledge, unit: Unit) -> ScoreSheet:
    require_any_perm(actor, (Perm.EDIT, Perm.APPROVE), unit)
    _member_check(pledge, unit)
    sheet, created = ScoreSheet.objects.get_or_create(pledge=pledge, unit=unit)
    if created:
        audit_record(actor=actor, action="sheet.create", obj=sheet, unit=unit)
    return sheet


@dataclass(frozen=True)
class SelfScore:
    criterion_id: int
    points: Decimal
    note: str = ""
    value_text: str = ""  # what the data showed when the unit scored itself


def _points(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise UserFacingError(f"Điểm '{value}' không phải là số.") from None


@transaction.atomic
def sheet_self_score(*, actor, sheet: ScoreSheet, entries: Sequence[SelfScore]) -> ScoreSheet:
    """The member unit records its own score for some or all criteria."""
    pledge = _lock_pledge(sheet.pledge)
    sheet = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
    require_perm(actor, Perm.EDIT, sheet.unit)
    if pledge.status != PledgeStatus.ACTIVE:
        raise UserFacingError(
            "Kết quả giao ước đã khóa, không sửa điểm được."
            if pledge.is_locked
            else "Giao ước chưa ký kết, chưa chấm điểm được."
        )
    if sheet.status != SheetStatus.DRAFT:
        raise UserFacingError("Phiếu đã gửi cấp trên: không tự chấm lại được.")
    criteria = {c.pk: c for c in pledge.criteria.all()}
    evidence_ids = set(
        Evidence.objects.filter(criterion__pledge=pledge, unit=sheet.unit).values_list(
            "criterion_id", flat=True
        )
    )
    existing = {s.criterion_id: s for s in sheet.scores.all()}
    errors = []
    now = _now()
    for entry in entries:
        criterion = criteria.get(entry.criterion_id)
        if criterion is None:
            errors.append("Tiêu chí không thuộc giao ước.")
            continue
        points = _points(entry.points)
        if message := validate_points(criterion, points):
            errors.append(message)
            continue
        if (
            criterion.kind == CriterionKind.REQUIREMENT
            and points > 0
            and criterion.pk not in evidence_ids
        ):
            errors.append(f"Tiêu chí {criterion.code}: cần nộp minh chứng trước khi tự chấm điểm.")
            continue
        score = existing.get(criterion.pk) or CriterionScore(sheet=sheet, criterion=criterion)
        before = snapshot(score) if score.pk else None
        note = _text(entry.note, "Giải trình", required=False)
        if score.pk and score.self_points == points and score.self_note == note:
            continue
        score.self_points = points
        score.self_note = note
        score.self_value = nfc(entry.value_text)[:200]
        score.self_by = actor if getattr(actor, "is_authenticated", False) else None
        score.self_at = now
        score.save()
        audit_record(
            actor=actor,
            action="score.self",
            obj=score,
            unit=sheet.unit,
            before=before,
            after=snapshot(score),
            note=f"{criterion.code}: {format_points(points)} điểm",
        )
    if errors:
        raise UserFacingError("; ".join(errors))
    return sheet


@transaction.atomic
def sheet_submit(*, actor, sheet: ScoreSheet) -> ScoreSheet:
    pledge = _lock_pledge(sheet.pledge)
    sheet = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
    require_perm(actor, Perm.EDIT, sheet.unit)
    if pledge.status != PledgeStatus.ACTIVE or sheet.status != SheetStatus.DRAFT:
        raise UserFacingError("Phiếu không ở trạng thái đang tự chấm.")
    scored = set(
        sheet.scores.filter(self_points__isnull=False).values_list("criterion_id", flat=True)
    )
    missing = [c.code for c in pledge.criteria.all() if c.pk not in scored]
    if missing:
        raise UserFacingError("Chưa tự chấm các tiêu chí: " + ", ".join(missing) + ".")
    before = snapshot(sheet)
    sheet.status = SheetStatus.SUBMITTED
    sheet.submitted_at = _now()
    sheet.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    sheet.save()
    audit_record(
        actor=actor,
        action="sheet.submit",
        obj=sheet,
        unit=sheet.unit,
        before=before,
        after=snapshot(sheet),
    )
    return sheet


@transaction.atomic
def sheet_return(*, actor, sheet: ScoreSheet, reason: str) -> ScoreSheet:
    """The organiser sends a submitted sheet back to the unit, with a reason."""
    pledge = _lock_pledge(sheet.pledge)
    sheet = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
    require_perm(actor, Perm.APPROVE, pledge.unit)
    if pledge.is_locked:
        raise UserFacingError("Kết quả giao ước đã khóa.")
    if sheet.status == SheetStatus.DRAFT:
        raise UserFacingError("Phiếu chưa được gửi.")
    reason = _text(reason, "Lý do trả lại")
    before = snapshot(sheet)
    sheet.status = SheetStatus.DRAFT
    sheet.verified_at = None
    sheet.verified_by = None
    sheet.save()
    sheet.scores.update(verified_points=None, verify_reason="", verified_by=None, verified_at=None)
    audit_record(
        actor=actor,
        action="sheet.return",
        obj=sheet,
        unit=sheet.unit,
        before=before,
        after=snapshot(sheet),
        note=reason,
    )
    return sheet


@dataclass(frozen=True)
class Verification:
    criterion_id: int
    points: Decimal
    reason: str = ""


@transaction.atomic
def sheet_verify(*, actor, sheet: ScoreSheet, entries: Sequence[Verification]) -> ScoreSheet:
    """The organiser confirms or changes each score; a change needs a reason."""
    pledge = _lock_pledge(sheet.pledge)
    sheet = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
    require_perm(actor, Perm.APPROVE, pledge.unit)
    if pledge.is_locked:
        raise UserFacingError("Kết quả giao ước đã khóa, không sửa điểm được.")
    if sheet.status == SheetStatus.DRAFT:
        raise UserFacingError("Đơn vị chưa gửi phiếu tự chấm.")
    scores = {s.criterion_id: s for s in sheet.scores.select_related("criterion")}
    given = {e.criterion_id: e for e in entries}
    missing = [s.criterion.code for cid, s in scores.items() if cid not in given]
    if missing:
        raise UserFacingError("Chưa thẩm định các tiêu chí: " + ", ".join(sorted(missing)) + ".")
    errors = []
    now = _now()
    for cid, entry in given.items():
        score = scores.get(cid)
        if score is None:
            errors.append("Tiêu chí không có trong phiếu.")
            continue
        code = score.criterion.code
        points = _points(entry.points)
        if message := validate_points(score.criterion, points):
            errors.append(message)
            continue
        reason = _text(entry.reason, "Lý do", required=False)
        if points != score.self_points and not reason:
            errors.append(f"Tiêu chí {code}: điểm thẩm định khác điểm tự chấm, cần ghi lý do.")
            continue
        if score.verified_points == points and score.verify_reason == reason:
            continue
        before = snapshot(score)
        score.verified_points = points
        score.verify_reason = reason
        score.verified_by = actor if getattr(actor, "is_authenticated", False) else None
        score.verified_at = now
        score.save()
        audit_record(
            actor=actor,
            action="score.verify",
            obj=score,
            unit=sheet.unit,
            before=before,
            after=snapshot(score),
            note=f"{code}: {format_points(score.self_points)} → {format_points(points)}"
            + (f" – {reason}" if reason else ""),
        )
    if errors:
        raise UserFacingError("; ".join(errors))
    before = snapshot(sheet)
    sheet.status = SheetStatus.VERIFIED
    sheet.verified_at = now
    sheet.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    sheet.save()
    audit_record(
        actor=actor,
        action="sheet.verify",
        obj=sheet,
        unit=sheet.unit,
        before=before,
        after=snapshot(sheet),
    )
    return sheet


@transaction.atomic
def pledge_lock(*, actor, pledge: Pledge) -> Pledge:
    """Fix the verified result: totals and ranks are stored, nothing changes after this."""
    pledge = _lock_pledge(pledge)
    require_perm(actor, Perm.APPROVE, pledge.unit)
    if pledge.status != PledgeStatus.ACTIVE:
        raise UserFacingError("Chỉ khóa được giao ước đang thực hiện.")
    members = list(pledge.members.select_related("unit"))
    sheets = {s.unit_id: s for s in ScoreSheet.objects.filter(pledge=pledge)}
    pending = [
        m.unit.name
        for m in members
        if m.unit_id not in sheets or sheets[m.unit_id].status != SheetStatus.VERIFIED
    ]
    if pending:
        raise UserFacingError("Chưa thẩm định xong: " + ", ".join(pending) + ".")
    from .selectors import sheet_totals

    totals = sheet_totals(pledge=pledge)
    for r in rank((unit_id, totals.get(unit_id, Decimal(0))) for unit_id in sheets):
        sheet = sheets[r.unit_id]
        sheet.final_total = r.total
        sheet.final_rank = r.rank
        sheet.save(update_fields=["final_total", "final_rank"])
    before = snapshot(pledge)
    pledge.status = PledgeStatus.LOCKED
    pledge.locked_at = _now()
    pledge.locked_by = actor if getattr(actor, "is_authenticated", False) else None
    pledge.save(update_fields=["status", "locked_at", "locked_by"])
    audit_record(
        actor=actor,
        action="pledge.lock",
        obj=pledge,
        unit=pledge.unit,
        before=before,
        after={
            **snapshot(pledge),
            "ranking": {
                str(s.unit_id): [str(s.final_total), s.final_rank] for s in sheets.values()
            },
        },
    )
    return pledge


@transaction.atomic
def pledge_reopen(*, actor, pledge: Pledge, reason: str) -> Pledge:
    pledge = _lock_pledge(pledge)
    require_perm(actor, Perm.ADMINISTER, pledge.unit)
    if not pledge.is_locked:
        raise UserFacingError("Giao ước chưa khóa.")
    if pledge.proposals.filter(status=ProposalStatus.DECIDED).exists():
        raise UserFacingError("Đã có quyết định khen thưởng theo kết quả này, không mở lại được.")
    reason = _text(reason, "Lý do mở lại")
    before = snapshot(pledge)
    pledge.status = PledgeStatus.ACTIVE
    pledge.locked_at = None
    pledge.locked_by = None
    pledge.save(update_fields=["status", "locked_at", "locked_by"])
    ScoreSheet.objects.filter(pledge=pledge).update(final_total=None, final_rank=None)
    audit_record(
        actor=actor,
        action="pledge.reopen",
        obj=pledge,
        unit=pledge.unit,
        before=before,
        after=snapshot(pledge),
        note=reason,
    )
    return pledge


@transaction.atomic
def sheet_self_score_save(
    *, actor, pledge: Pledge, unit: Unit, entries: Sequence[SelfScore], submit: bool = False
) -> ScoreSheet:
    """The score sheet page's "save" and "submit": the sheet is created on first use,
    the self-scores recorded and, with `submit`, the sheet sent up, all in one
    transaction (a refused score or submission leaves no sheet and no score behind)."""
    sheet = score_sheet_ensure(actor=actor, pledge=pledge, unit=unit)
    sheet = sheet_self_score(actor=actor, sheet=sheet, entries=entries)
    if submit:
        sheet = sheet_submit(actor=actor, sheet=sheet)
    return sheet


# ======================================================================= commendations


@dataclass(frozen=True)
class Recipient:
    unit: Unit | None = None
    member_organisation: MemberOrganisation | None = None
    person: Person | None = None
    title: str = ""
    # A person not recorded yet: created by the service that uses the recipient,
    # in its transaction (a refused proposal leaves no person behind).
    person_name: str = ""


def _recipient_person(actor, r: Recipient) -> Recipient:
    if r.person is None and nfc(r.person_name):
        from mattran.units.services import person_create

        return replace(r, person=person_create(actor=actor, full_name=r.person_name))
    return r


def _recipient_check(scope: Unit, award_type: AwardType, r: Recipient) -> None:
    given = [x for x in (r.unit, r.member_organisation, r.person) if x is not None]
    if len(given) != 1:
        raise UserFacingError("Chọn đúng một người nhận: một đơn vị, một tổ chức hoặc một cá nhân.")
    if r.unit is not None and not _in_subtree(scope, r.unit):
        raise UserFacingError(f"{r.unit.name} không thuộc phạm vi của {scope.name}.")
    if r.member_organisation is not None and not _in_subtree(scope, r.member_organisation.unit):
        raise UserFacingError(f"{r.member_organisation.name} không thuộc phạm vi của {scope.name}.")
    kind = award_type.recipient_kind
    if kind == "collective" and r.person is not None:
        raise UserFacingError(f"{award_type.name} chỉ tặng cho tập thể.")
    if kind == "individual" and r.person is None:
        raise UserFacingError(f"{award_type.name} chỉ tặng cho cá nhân.")


def _apply_recipient(obj, r: Recipient) -> None:
    obj.recipient_unit = r.unit
    obj.recipient_member_organisation = r.member_organisation
    obj.recipient_person = r.person
    obj.recipient_title = nfc(r.title)


@transaction.atomic
def proposal_create(
    *,
    actor,
    unit: Unit,
    year: int,
    award_type: AwardType,
    recipient: Recipient,
    achievement: str,
) -> CommendationProposal:
    """`recipient.person_name` records a new person in the same transaction."""
    require_any_perm(actor, (Perm.EDIT, Perm.APPROVE), unit)
    recipient = _recipient_person(actor, recipient)
    _recipient_check(unit, award_type, recipient)
    proposal = CommendationProposal(
        unit=unit,
        year=year,
        award_type=award_type,
        achievement=_text(achievement, "Thành tích"),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _apply_recipient(proposal, recipient)
    full_clean_or_raise(proposal, exclude=["created_by"])
    proposal.save()
    audit_record(
        actor=actor, action="proposal.create", obj=proposal, unit=unit, after=snapshot(proposal)
    )
    return proposal


@transaction.atomic
def proposals_from_ranking(
    *, actor, pledge: Pledge, award_type: AwardType, top: int, achievement: str = ""
) -> list[CommendationProposal]:
    """Propose the units ranked 1..`top` (a tie at the boundary brings in every tied unit)."""
    pledge = _lock_pledge(pledge)
    require_any_perm(actor, (Perm.EDIT, Perm.APPROVE), pledge.unit)
    if not pledge.is_locked:
        raise UserFacingError("Chỉ đề nghị khen thưởng theo kết quả đã khóa.")
    if top < 1:
        raise UserFacingError("Số đơn vị đề nghị phải từ 1 trở lên.")
    sheets = list(
        ScoreSheet.objects.filter(pledge=pledge, final_rank__lte=top)
        .select_related("unit")
        .order_by("final_rank", "unit__name")
    )
    already = set(
        pledge.proposals.filter(award_type=award_type).values_list("recipient_unit_id", flat=True)
    )
    created = []
    for sheet in sheets:
        if sheet.unit_id in already:
            continue
        text = achievement or (
            f"Đạt {format_points(sheet.final_total)} điểm, xếp thứ {sheet.final_rank} "
            f"trong {pledge.title}"
        )
        proposal = CommendationProposal(
            unit=pledge.unit,
            year=pledge.year,
            award_type=award_type,
            achievement=_text(text, "Thành tích"),
            pledge=pledge,
            rank=sheet.final_rank,
            total_points=sheet.final_total,
            recipient_unit=sheet.unit,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _recipient_check(pledge.unit, award_type, Recipient(unit=sheet.unit))
        full_clean_or_raise(proposal, exclude=["created_by"])
        proposal.save()
        audit_record(
            actor=actor,
            action="proposal.create",
            obj=proposal,
            unit=pledge.unit,
            after=snapshot(proposal),
            note="theo kết quả xếp hạng",
        )
        created.append(proposal)
    return created


@transaction.atomic
def proposal_reject(*, actor, proposal: CommendationProposal, reason: str) -> CommendationProposal:
    require_perm(actor, Perm.APPROVE, proposal.unit)
    if proposal.status != ProposalStatus.PROPOSED:
        raise UserFacingError("Đề nghị đã được xử lý.")
    reason = _text(reason, "Lý do")
    before = snapshot(proposal)
    proposal.status = ProposalStatus.REJECTED
    proposal.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="proposal.reject",
        obj=proposal,
        unit=proposal.unit,
        before=before,
        after=snapshot(proposal),
        note=reason,
    )
    return proposal


@transaction.atomic
def decision_create(
    *,
    actor,
    unit: Unit,
    award_type: AwardType,
    issuer: str,
    achievement_year: int,
    summary: str,
    number: str = "",
    signed_on: dt.date | None = None,
    document=None,
    source_note: str = "",
) -> CommendationDecision:
    """Record a decision. Number and date are required unless the source note explains
    why they are unknown (a decision known only from a news report)."""
    require_any_perm(actor, (Perm.EDIT, Perm.APPROVE), unit)
    number = nfc(number)
    source_note = _text(source_note, "Nguồn", required=False)
    if (not number or signed_on is None) and not source_note:
        raise UserFacingError(
            "Cần số và ngày ký của quyết định (hoặc ghi rõ nguồn khi tài liệu gốc không có)."
        )
    if signed_on is not None and signed_on.year < achievement_year:
        raise UserFacingError("Ngày ký quyết định không thể trước năm của thành tích.")
    decision = CommendationDecision(
        unit=unit,
        award_type=award_type,
        issuer=_text(issuer, "Cơ quan ban hành"),
        number=number,
        signed_on=signed_on,
        achievement_year=achievement_year,
        summary=_text(summary, "Trích yếu"),
        document=document or "",
        document_name=original_name(document) if document else "",
        source_note=source_note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    full_clean_or_raise(decision, exclude=["created_by"])
    decision.save()
    audit_record(
        actor=actor, action="decision.create", obj=decision, unit=unit, after=snapshot(decision)
    )
    return decision


@transaction.atomic
def commendation_add(
    *,
    actor,
    decision: CommendationDecision,
    recipient: Recipient | None = None,
    achievement: str = "",
    note: str = "",
    proposal: CommendationProposal | None = None,
) -> Commendation:
    """Add one recipient to a decision, directly or by granting a proposal."""
    require_any_perm(actor, (Perm.EDIT, Perm.APPROVE), decision.unit)
    if proposal is not None:
        if proposal.status != ProposalStatus.PROPOSED:
            raise UserFacingError("Đề nghị đã được xử lý.")
        if proposal.award_type_id != decision.award_type_id:
            raise UserFacingError("Hình thức khen thưởng của đề nghị khác của quyết định.")
        if not _in_subtree(decision.unit, proposal.unit) and not _in_subtree(
            proposal.unit, decision.unit
        ):
            raise UserFacingError("Đề nghị không thuộc phạm vi của đơn vị lưu quyết định.")
        recipient = Recipient(
            unit=proposal.recipient_unit,
            member_organisation=proposal.recipient_member_organisation,
            person=proposal.recipient_person,
            title=proposal.recipient_title,
        )
        achievement = achievement or proposal.achievement
    if recipient is None:
        raise UserFacingError("Chưa chọn người nhận.")
    _recipient_check(decision.unit, decision.award_type, recipient)
    commendation = Commendation(
        decision=decision,
        achievement=_text(achievement, "Thành tích", required=False),
        note=nfc(note)[:500],
        proposal=proposal,
    )
    _apply_recipient(commendation, recipient)
    full_clean_or_raise(commendation)
    commendation.save()
    if proposal is not None:
        proposal.status = ProposalStatus.DECIDED
        proposal.decision = decision
        proposal.save(update_fields=["status", "decision"])
    audit_record(
        actor=actor,
        action="commendation.add",
        obj=commendation,
        unit=decision.unit,
        after=snapshot(commendation),
    )
    return commendation


# ========================================================================= conferences


@dataclass(frozen=True)
class ConferenceInput:
    kind: str
    title: str
    held_on: dt.date
    starts_at: dt.time | None = None
    session: str = ""
    place: str = ""
    chair: Person | None = None
    chair_title: str = ""
    summary: str = ""
    key_task_year: int | None = None


def _conference_apply(conference: Conference, data: ConferenceInput) -> None:
    conference.kind = data.kind
    conference.title = _text(data.title, "Tên hội nghị")
    conference.held_on = data.held_on
    conference.starts_at = data.starts_at
    conference.session = data.session or ""
    conference.place = nfc(data.place)
    conference.chair = data.chair
    conference.chair_title = nfc(data.chair_title)
    conference.summary = _text(data.summary, "Nội dung", required=False)
    conference.key_task_year = data.key_task_year


@transaction.atomic
def conference_create(*, actor, unit: Unit, data: ConferenceInput) -> Conference:
    require_perm(actor, Perm.EDIT, unit)
    conference = Conference(unit=unit)
    _conference_apply(conference, data)
    full_clean_or_raise(conference)
    conference.save()
    audit_record(
        actor=actor,
        action="conference.create",
        obj=conference,
        unit=unit,
        after=snapshot(conference),
    )
    return conference


@transaction.atomic
def conference_update(*, actor, conference: Conference, data: ConferenceInput) -> Conference:
    require_perm(actor, Perm.EDIT, conference.unit)
    before = snapshot(conference)
    _conference_apply(conference, data)
    full_clean_or_raise(conference)
    conference.save()
    audit_record(
        actor=actor,
        action="conference.update",
        obj=conference,
        unit=conference.unit,
        before=before,
        after=snapshot(conference),
    )
    return conference


@transaction.atomic
def conference_attendee_add(
    *,
    actor,
    conference: Conference,
    title: str,
    full_name: str = "",
    person: Person | None = None,
    headcount: int | None = 1,
    is_guest: bool = False,
) -> ConferenceAttendee:
    require_perm(actor, Perm.EDIT, conference.unit)
    if headcount is not None and headcount < 1:
        raise UserFacingError("Số người phải từ 1 trở lên.")
    last = conference.attendees.aggregate(m=Max("order"))["m"] or 0
    attendee = ConferenceAttendee(
        conference=conference,
        order=last + 1,
        person=person,
        full_name=nfc(full_name) or (person.full_name if person else ""),
        title=_text(title, "Chức danh / thành phần"),
        headcount=headcount,
        is_guest=is_guest,
    )
    full_clean_or_raise(attendee)
    attendee.save()
    audit_record(
        actor=actor,
        action="conference.attendee_add",
        obj=conference,
        unit=conference.unit,
        after=snapshot(attendee),
    )
    return attendee


@transaction.atomic
def conference_attendee_delete(*, actor, attendee: ConferenceAttendee) -> None:
    conference = attendee.conference
    require_perm(actor, Perm.EDIT, conference.unit)
    audit_record(
        actor=actor,
        action="conference.attendee_delete",
        obj=conference,
        unit=conference.unit,
        before=snapshot(attendee),
    )
    attendee.delete()


@transaction.atomic
def conference_agenda_add(
    *, actor, conference: Conference, content: str, speaker: str = ""
) -> AgendaItem:
    require_perm(actor, Perm.EDIT, conference.unit)
    last = conference.agenda.aggregate(m=Max("order"))["m"] or 0
    item = AgendaItem(
        conference=conference,
        order=last + 1,
        content=_text(content, "Nội dung"),
        speaker=nfc(speaker),
    )
    full_clean_or_raise(item)
    item.save()
    audit_record(
        actor=actor,
        action="conference.agenda_add",
        obj=conference,
        unit=conference.unit,
        after=snapshot(item),
    )
    return item


@transaction.atomic
def conference_agenda_delete(*, actor, item: AgendaItem) -> None:
    conference = item.conference
    require_perm(actor, Perm.EDIT, conference.unit)
    audit_record(
        actor=actor,
        action="conference.agenda_delete",
        obj=conference,
        unit=conference.unit,
        before=snapshot(item),
    )
    item.delete()


@transaction.atomic
def conference_links_set(
    *,
    actor,
    conference: Conference,
    pledges: Iterable[Pledge] = (),
    programs: Iterable[CoordinationProgram] = (),
    decisions: Iterable[CommendationDecision] = (),
) -> Conference:
    """What was signed and handed out at the conference."""
    require_perm(actor, Perm.EDIT, conference.unit)
    pledges, programs, decisions = list(pledges), list(programs), list(decisions)
    for obj in [*pledges, *programs, *decisions]:
        if not _in_subtree(conference.unit, obj.unit):
            raise UserFacingError(f"“{obj}” không thuộc {conference.unit.name}.")
    before = {
        "pledges": sorted(conference.pledges.values_list("pk", flat=True)),
        "programs": sorted(conference.programs.values_list("pk", flat=True)),
        "decisions": sorted(conference.decisions.values_list("pk", flat=True)),
    }
    conference.pledges.set(pledges)
    conference.programs.set(programs)
    conference.decisions.set(decisions)
    after = {
        "pledges": sorted(p.pk for p in pledges),
        "programs": sorted(p.pk for p in programs),
        "decisions": sorted(d.pk for d in decisions),
    }
    if before != after:
        audit_record(
            actor=actor,
            action="conference.links_set",
            obj=conference,
            unit=conference.unit,
            before=before,
            after=after,
        )
    return conference


@transaction.atomic
def commendations_add_many(
    *, actor, decision: CommendationDecision, lines: Sequence
) -> list[Commendation]:
    """Add many recipients (resolved `recipients.RecipientLine`s) to one decision, all
    or nothing; an individual becomes a new Person with the title given."""
    require_any_perm(actor, (Perm.EDIT, Perm.APPROVE), decision.unit)
    added = []
    for line in lines:
        person = None
        if line.is_person:
            person = Person(full_name=nfc(line.name)[:120])
            full_clean_or_raise(person)
            person.save()
        recipient = Recipient(
            unit=line.unit,
            member_organisation=line.member_organisation,
            person=person,
            title=line.title if person is not None else "",
        )
        try:
            _recipient_check(decision.unit, decision.award_type, recipient)
        except UserFacingError as exc:
            raise UserFacingError(f"Dòng {line.line}: {exc.message}") from exc
        commendation = Commendation(
            decision=decision,
            achievement=_text(line.achievement, "Thành tích", required=False),
        )
        _apply_recipient(commendation, recipient)
        full_clean_or_raise(commendation)
        commendation.save()
        audit_record(
            actor=actor,
            action="commendation.add",
            obj=commendation,
            unit=decision.unit,
            after=snapshot(commendation),
            note="thêm nhiều",
        )
        added.append(commendation)
    return added
