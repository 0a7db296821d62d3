"""Writes of planning: key tasks and coordination programs (their items,
signatories and signed documents)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from mattran.access.policy import Perm, require_perm
from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError, full_clean_or_raise
from mattran.core.uploads import original_name
from mattran.core.vietnamese import nfc
from mattran.units.models import MemberOrganisation, Person, Unit

from .. import measures as measure_registry
from ..models import (
    CoordinationProgram,
    KeyTask,
    KeyTaskMeasure,
    ProgramItem,
    ProgramSignatory,
    ProgramStatus,
    SignatorySide,
)
from ..uploads import file_safe_snapshot as snapshot
from ..wording import committee_name
from ._common import _part_add, _part_delete, _text

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
    return _part_add(actor=actor, action="program.item_add", parent=program, part=item)


@transaction.atomic
def program_item_delete(*, actor, item: ProgramItem) -> None:
    program = item.program
    _program_editable(actor, program)
    _part_delete(actor=actor, action="program.item_delete", parent=program, part=item)


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
    return _part_add(actor=actor, action="program.signatory_add", parent=program, part=signatory)


@transaction.atomic
def program_signatory_delete(*, actor, signatory: ProgramSignatory) -> None:
    program = signatory.program
    _program_editable(actor, program)
    _part_delete(actor=actor, action="program.signatory_delete", parent=program, part=signatory)


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
    from ..selectors import committee_chair

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
