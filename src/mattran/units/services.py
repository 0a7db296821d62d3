"""Writes to the hierarchy. Each function is atomic and records its audit event."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import transaction

from mattran.core.audit import audit_record, snapshot
from mattran.core.errors import UserFacingError, full_clean_or_raise
from mattran.core.permissions import Perm, require_perm
from mattran.core.vietnamese import fold, nfc

from .models import (
    Level,
    Lineage,
    MemberOrganisation,
    Person,
    Position,
    StructureVersion,
    Term,
    Unit,
)

RESIDENTIAL_KINDS = ["Tổ dân phố", "Khu dân cư", "Thôn", "Xóm", "Ấp", "Bản", "Khu phố"]


def unit_paths_assign(units: list[Unit]) -> None:
    """Insert units whose parents already have paths, then give each its path.

    Paths need the primary key, so rows go in with a unique placeholder and
    are updated in one statement per batch.
    """
    for u in units:
        u.path = f"~{uuid.uuid4().hex}"
        u.search_key = fold(u.name)
    created = Unit.objects.bulk_create(units, batch_size=500)
    for u in created:
        u.path = (u.parent.path if u.parent_id else "/") + f"{u.pk}/"
    Unit.objects.bulk_update(created, ["path"], batch_size=500)


def units_bulk_create(nodes: Iterable[Unit]) -> list[Unit]:
    """Create units parents-first; `nodes` may reference each other as parents."""
    pending = list(nodes)
    done: list[Unit] = []
    while pending:
        ready = [u for u in pending if u.parent is None or u.parent.pk is not None]
        if not ready:
            raise ValueError("cycle or missing parent among new units")
        unit_paths_assign(ready)
        ready_ids = {id(u) for u in ready}
        pending = [u for u in pending if id(u) not in ready_ids]
        done.extend(ready)
    return done


@transaction.atomic
def structure_version_ensure(
    *,
    actor,
    code: str,
    name: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    legal_basis: str = "",
) -> StructureVersion:
    version = StructureVersion.objects.filter(code=code).first()
    if version:
        return version
    version = StructureVersion(
        code=code, name=nfc(name), valid_from=valid_from, valid_to=valid_to, legal_basis=legal_basis
    )
    full_clean_or_raise(version)
    version.save()
    audit_record(
        actor=actor, action="structure_version.create", obj=version, after=snapshot(version)
    )
    return version


@transaction.atomic
def unit_create(*, actor, parent: Unit, name: str, kind: str, code: str = "") -> Unit:
    """Add a unit below `parent` (typically a residential area below a ward)."""
    perm = Perm.EDIT if parent.level >= Level.COMMUNE else Perm.ADMINISTER
    require_perm(actor, perm, parent)
    name = nfc(name)
    kind = nfc(kind)
    if not name:
        raise UserFacingError("Tên đơn vị không được để trống.")
    if not kind:
        raise UserFacingError("Loại đơn vị không được để trống.")
    if parent.level >= Level.RESIDENTIAL_AREA:
        raise UserFacingError("Không thể thêm đơn vị dưới khu dân cư.")
    if Unit.objects.filter(parent=parent, search_key=fold(name)).exists():
        raise UserFacingError(f"{parent.name} đã có đơn vị tên '{name}'.")
    code = (code or "").strip()
    if code and Unit.objects.filter(version=parent.version, code=code).exists():
        raise UserFacingError(f"Mã '{code}' đã được dùng trong {parent.version.name}.")
    unit = Unit(
        version=parent.version,
        parent=parent,
        level=min(parent.level + 1, Level.RESIDENTIAL_AREA),
        kind=kind,
        name=name,
        code=code,
    )
    unit_paths_assign([unit])
    audit_record(actor=actor, action="unit.create", obj=unit, unit=unit, after=snapshot(unit))
    return unit


@transaction.atomic
def unit_rename(*, actor, unit: Unit, name: str) -> Unit:
    require_perm(
        actor, Perm.EDIT if unit.level == Level.RESIDENTIAL_AREA else Perm.ADMINISTER, unit
    )
    name = nfc(name)
    if not name:
        raise UserFacingError("Tên đơn vị không được để trống.")
    before = snapshot(unit)
    unit.name = name
    unit.save()
    audit_record(
        actor=actor, action="unit.rename", obj=unit, unit=unit, before=before, after=snapshot(unit)
    )
    return unit


@transaction.atomic
def lineage_create(*, actor, from_unit: Unit, to_unit: Unit, kind: str, note: str = "") -> Lineage:
    if from_unit.version_id == to_unit.version_id:
        raise UserFacingError(
            "Hai đơn vị của một quan hệ kế thừa phải thuộc hai phiên bản khác nhau."
        )
    link, created = Lineage.objects.get_or_create(
        from_unit=from_unit, to_unit=to_unit, defaults={"kind": kind, "note": note}
    )
    if created:
        audit_record(
            actor=actor, action="lineage.create", obj=link, unit=to_unit, after=snapshot(link)
        )
    return link


@transaction.atomic
def term_ensure(*, actor, start_year: int, end_year: int) -> Term:
    name = f"{start_year}–{end_year}"
    term = Term.objects.filter(start_year=start_year, end_year=end_year).first()
    if term:
        return term
    term = Term(name=name, start_year=start_year, end_year=end_year)
    full_clean_or_raise(term)
    term.save()
    audit_record(actor=actor, action="term.create", obj=term, after=snapshot(term))
    return term


@transaction.atomic
def person_create(*, actor, full_name: str, note: str = "") -> Person:
    full_name = nfc(full_name)
    if not full_name:
        raise UserFacingError("Họ và tên không được để trống.")
    person = Person(full_name=full_name, note=nfc(note))
    full_clean_or_raise(person)
    person.save()
    audit_record(actor=actor, action="person.create", obj=person, after=snapshot(person))
    return person


@transaction.atomic
def member_organisation_create(
    *,
    actor,
    unit: Unit,
    name: str,
    short_name: str = "",
    head: Person | None = None,
    head_name: str = "",
    head_title: str = "",
    order: int = 0,
) -> MemberOrganisation:
    """`head_name` (instead of `head`) records the head as a new person, in the same
    transaction: a refused organisation leaves no person behind."""
    require_perm(actor, Perm.ADMINISTER, unit)
    name = nfc(name)
    if MemberOrganisation.objects.filter(unit=unit, name=name).exists():
        raise UserFacingError(f"{unit.name} đã có tổ chức thành viên '{name}'.")
    if head is None and nfc(head_name):
        head = person_create(actor=actor, full_name=head_name)
    org = MemberOrganisation(
        unit=unit,
        name=name,
        short_name=nfc(short_name),
        head=head,
        head_title=nfc(head_title),
        order=order,
    )
    full_clean_or_raise(org)
    org.save()
    audit_record(
        actor=actor, action="member_organisation.create", obj=org, unit=unit, after=snapshot(org)
    )
    return org


@transaction.atomic
def position_create(
    *,
    actor,
    unit: Unit,
    term: Term,
    role: str,
    person: Person | None = None,
    full_name: str = "",
    title: str = "",
    started_on: dt.date | None = None,
) -> Position:
    """`full_name` (instead of `person`) records a new person in the same transaction."""
    # Ward editors keep the Front work boards of their residential areas.
    require_perm(
        actor, Perm.EDIT if unit.level == Level.RESIDENTIAL_AREA else Perm.ADMINISTER, unit
    )
    if person is None:
        person = person_create(actor=actor, full_name=full_name)
    if Position.objects.filter(unit=unit, term=term, person=person, role=role).exists():
        raise UserFacingError(f"{person} đã giữ chức vụ này trong {term}.")
    position = Position(
        unit=unit, term=term, person=person, role=role, title=nfc(title), started_on=started_on
    )
    full_clean_or_raise(position)
    position.save()
    audit_record(
        actor=actor, action="position.create", obj=position, unit=unit, after=snapshot(position)
    )
    return position


@transaction.atomic
def position_end(*, actor, position: Position, ended_on: dt.date) -> Position:
    level = position.unit.level
    require_perm(
        actor, Perm.EDIT if level == Level.RESIDENTIAL_AREA else Perm.ADMINISTER, position.unit
    )
    before = snapshot(position)
    position.ended_on = ended_on
    full_clean_or_raise(position)
    position.save()
    audit_record(
        actor=actor,
        action="position.end",
        obj=position,
        unit=position.unit,
        before=before,
        after=snapshot(position),
    )
    return position


@transaction.atomic
def residential_area_create(
    *,
    actor,
    commune: Unit,
    name: str,
    kind: str,
    board_head_name: str = "",
    term: Term | None = None,
) -> Unit:
    """Add a residential area below a ward/commune, optionally with its Front work board head."""
    if commune.level != Level.COMMUNE:
        raise UserFacingError("Khu dân cư chỉ được thêm dưới phường, xã, thị trấn.")
    area = unit_create(actor=actor, parent=commune, name=name, kind=kind)
    board_head_name = nfc(board_head_name)
    if board_head_name:
        if term is None:
            raise UserFacingError("Chưa có nhiệm kỳ nào để ghi Trưởng ban công tác Mặt trận.")
        person = person_create(actor=actor, full_name=board_head_name)
        position_create(actor=actor, unit=area, term=term, person=person, role="board_head")
    return area
