"""Writes of activity records, mediation cases and aggregate entries.

Each function is atomic, checks permission, validates (model constraints and
the validation rules, which are data), refuses changes to a locked
(approved) unit and period, and writes its audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from mattran.access.policy import Perm, policy_for
from mattran.core.audit import audit_record, audit_record_many, snapshot
from mattran.core.errors import UserFacingError
from mattran.core.uploads import UploadError, check_upload, original_name
from mattran.core.vietnamese import fold, nfc
from mattran.units.models import MemberOrganisation, Unit
from mattran.units.selectors import ensure_date_in_version, unit_date_error

from . import checks
from .models import (
    ActivityRecord,
    ActivityType,
    AggregateEntry,
    DataElement,
    MediationCase,
    MediationOutcome,
    SupervisedUnit,
)


class FieldErrors(UserFacingError):
    """Validation failed; `errors` maps field name ("" for the whole form) to messages."""

    def __init__(self, errors: Mapping[str, list[str]]):
        self.errors = {k: list(v) for k, v in errors.items() if v}
        super().__init__(" ".join(m for msgs in self.errors.values() for m in msgs))


def _today() -> dt.date:
    return timezone.localdate()


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise FieldErrors(
            {
                ("" if k == "__all__" else k): [str(m) for m in v]
                for k, v in exc.message_dict.items()
            }
        ) from exc


def _ensure_unlocked(unit: Unit, start: dt.date, end: dt.date | None = None) -> None:
    checks.ensure_unlocked(unit=unit, start=start, end=end)


def _rules():
    return checks.rules_active()


# ------------------------------------------------------------------ permissions


def can_record(actor, unit: Unit, member_organisation: MemberOrganisation | None = None) -> bool:
    """Editors record for their units; member-organisation reporters for their organisation."""
    if actor is None:
        return True
    policy = policy_for(actor)
    if policy.can(Perm.EDIT, unit):
        return True
    return (
        member_organisation is not None
        and policy.can(Perm.REPORT_MEMBER_ORG, unit)
        and member_organisation.pk in policy.member_organisation_ids(unit)
    )


def _require_record(actor, unit: Unit, member_organisation: MemberOrganisation | None) -> None:
    if not can_record(actor, unit, member_organisation):
        raise UserFacingError(f"Bạn không có quyền ghi hoạt động của {unit.name}.")


def _require_edit(actor, unit: Unit) -> None:
    if actor is not None and not policy_for(actor).can(Perm.EDIT, unit):
        raise UserFacingError(f"Bạn không có quyền cập nhật số liệu của {unit.name}.")


# ------------------------------------------------------------------- activities


def _check_attachment(attachment: UploadedFile | None) -> list[str]:
    """The upload module's check (core/uploads.py, kind "attachment")."""
    if not attachment:
        return []
    try:
        check_upload(attachment, "attachment")
    except UploadError as exc:
        return [exc.message]
    return []


def _validate_activity(
    *,
    unit: Unit,
    type: ActivityType,
    date: dt.date,
    title: str,
    attendance: int | None,
    subject: str,
    supervised: list[Unit],
    co_organisers: list[MemberOrganisation],
    member_organisation: MemberOrganisation | None,
    attachment,
) -> None:
    activity_errors = checks.activity_errors
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Chưa ghi tên hoạt động."]
    if date > _today():
        errors["date"] = ["Ngày hoạt động không được sau ngày hôm nay."]
    elif version_error := unit_date_error(unit=unit, start=date):
        errors["date"] = [version_error]
    if not type.active:
        errors["type"] = [f"Loại hoạt động “{type.name}” không còn được dùng."]
    if supervised and not type.uses_supervised_units:
        errors["supervised_units"] = [f"Loại “{type.name}” không ghi đơn vị được giám sát."]
    bad = [u.name for u in supervised if not unit.is_ancestor_of(u) or u.pk == unit.pk]
    if bad:
        errors.setdefault("supervised_units", []).append(
            f"Đơn vị được giám sát phải là đơn vị trực thuộc {unit.name}: {', '.join(bad)}."
        )
    allowed_org_units = {*unit.ancestor_ids, unit.pk}
    bad_orgs = [o.name for o in co_organisers if o.unit_id not in allowed_org_units]
    if member_organisation is not None and member_organisation.unit_id not in allowed_org_units:
        bad_orgs.append(member_organisation.name)
    if bad_orgs:
        errors["co_organisers"] = [
            f"Tổ chức thành viên không thuộc {unit.name} hoặc cấp trên: {', '.join(bad_orgs)}."
        ]
    if attachment_errors := _check_attachment(attachment):
        errors["attachment"] = attachment_errors
    for field_name, msgs in activity_errors(
        rules=_rules(),
        type=type,
        attendance=attendance,
        subject=subject,
        supervised_count=len(supervised),
    ).items():
        errors.setdefault(field_name, []).extend(msgs)
    if errors:
        raise FieldErrors(errors)


def _set_supervised(record: ActivityRecord, units: Iterable[Unit]) -> None:
    SupervisedUnit.objects.filter(record=record).delete()
    SupervisedUnit.objects.bulk_create(
        [SupervisedUnit(record=record, unit=u, order=i) for i, u in enumerate(units, start=1)]
    )


@transaction.atomic
def activity_record_create(
    *,
    actor,
    unit: Unit,
    type: ActivityType,
    date: dt.date,
    title: str,
    notes: str = "",
    attendance: int | None = None,
    subject: str = "",
    supervised_units: Iterable[Unit] = (),
    co_organisers: Iterable[MemberOrganisation] = (),
    member_organisation: MemberOrganisation | None = None,
    attachment: UploadedFile | None = None,
) -> ActivityRecord:
    _require_record(actor, unit, member_organisation)
    title, notes, subject = nfc(title), (notes or "").strip(), nfc(subject)
    supervised = list(dict.fromkeys(supervised_units))
    orgs = list(dict.fromkeys(co_organisers))
    if member_organisation is not None and member_organisation not in orgs:
        orgs.append(member_organisation)
    _validate_activity(
        unit=unit,
        type=type,
        date=date,
        title=title,
        attendance=attendance,
        subject=subject,
        supervised=supervised,
        co_organisers=orgs,
        member_organisation=member_organisation,
        attachment=attachment,
    )
    _ensure_unlocked(unit, date)
    record = ActivityRecord(
        unit=unit,
        unit_path=unit.path,
        type=type,
        date=date,
        title=title,
        notes=notes,
        attendance=attendance if type.uses_attendance else None,
        subject=subject if type.uses_subject else "",
        member_organisation=member_organisation,
        search_key=fold(f"{title} {subject}")[:800],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if attachment:
        record.attachment = attachment
        record.attachment_name = original_name(attachment)
    _clean(record)
    record.save()
    _set_supervised(record, supervised)
    record.co_organisers.set(orgs)
    audit_record(
        actor=actor, action="activity.create", obj=record, unit=unit, after=snapshot(record)
    )
    return record


@transaction.atomic
def activity_records_bulk_create(*, actor, rows: list[dict]) -> list[ActivityRecord]:
    """Many activity records at once (an XLSX upload), all or nothing.

    `rows` are already validated field by field (the importer applies the same
    rules as `_validate_activity`); here, once per unit: permission, the unit's
    structure version covering the dates, and the approved-period locks over
    the days used. Then one INSERT per table and one audit event per record,
    in the same transaction, instead of ~15 queries per row.
    """
    by_unit: dict[int, list[dict]] = {}
    for row in rows:
        by_unit.setdefault(row["unit"].pk, []).append(row)
    for unit_rows in by_unit.values():
        unit = unit_rows[0]["unit"]
        _require_record(actor, unit, None)
        days = [r["date"] for r in unit_rows]
        ensure_date_in_version(unit=unit, start=min(days), end=max(days))
        checks.ensure_unlocked_days(unit=unit, days=days)
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    records = []
    for row in rows:
        t, title, subject = row["type"], nfc(row["title"]), nfc(row.get("subject") or "")
        records.append(
            ActivityRecord(
                unit=row["unit"],
                unit_path=row["unit"].path,
                type=t,
                date=row["date"],
                title=title,
                notes=(row.get("notes") or "").strip(),
                attendance=row.get("attendance") if t.uses_attendance else None,
                subject=subject if t.uses_subject else "",
                search_key=fold(f"{title} {subject}")[:800],
                created_by=created_by,
            )
        )
    ActivityRecord.objects.bulk_create(records, batch_size=500)
    supervised = [
        SupervisedUnit(record=rec, unit=u, order=i)
        for rec, row in zip(records, rows, strict=True)
        for i, u in enumerate(dict.fromkeys(row.get("supervised_units") or ()), start=1)
    ]
    SupervisedUnit.objects.bulk_create(supervised, batch_size=500)
    concrete = [f.name for f in ActivityRecord._meta.concrete_fields]
    supervised_of = {rec.pk: [] for rec in records}
    for link in supervised:
        supervised_of[link.record.pk].append(link.unit.pk)
    audit_record_many(
        actor=actor,
        action="activity.create",
        objs=records,
        unit_of=lambda rec: rec.unit,
        # The record's fields, plus its many-to-many values known here (no query each).
        after_of=lambda rec: (
            snapshot(rec, concrete)
            | {"supervised_units": supervised_of[rec.pk], "co_organisers": []}
        ),
        note="nhập từ Excel",
    )
    return records


def _require_change(actor, record: ActivityRecord) -> None:
    if can_record(actor, record.unit, None):
        return
    if record.member_organisation and can_record(actor, record.unit, record.member_organisation):
        return
    raise UserFacingError(f"Bạn không có quyền sửa hoạt động này của {record.unit.name}.")


@transaction.atomic
def activity_record_update(
    *,
    actor,
    record: ActivityRecord,
    type: ActivityType,
    date: dt.date,
    title: str,
    notes: str = "",
    attendance: int | None = None,
    subject: str = "",
    supervised_units: Iterable[Unit] = (),
    co_organisers: Iterable[MemberOrganisation] = (),
    attachment: UploadedFile | None = None,
    remove_attachment: bool = False,
) -> ActivityRecord:
    record = ActivityRecord.objects.select_for_update().select_related("unit").get(pk=record.pk)
    _require_change(actor, record)
    _ensure_unlocked(record.unit, record.date)
    _ensure_unlocked(record.unit, date)
    title, notes, subject = nfc(title), (notes or "").strip(), nfc(subject)
    supervised = list(dict.fromkeys(supervised_units))
    orgs = list(dict.fromkeys(co_organisers))
    if record.member_organisation and record.member_organisation not in orgs:
        orgs.append(record.member_organisation)
    _validate_activity(
        unit=record.unit,
        type=type,
        date=date,
        title=title,
        attendance=attendance,
        subject=subject,
        supervised=supervised,
        co_organisers=orgs,
        member_organisation=record.member_organisation,
        attachment=attachment,
    )
    before = snapshot(record)
    record.type = type
    record.date = date
    record.title = title
    record.notes = notes
    record.attendance = attendance if type.uses_attendance else None
    record.subject = subject if type.uses_subject else ""
    record.search_key = fold(f"{title} {record.subject}")[:800]
    if attachment:
        record.attachment = attachment
        record.attachment_name = original_name(attachment)
    elif remove_attachment:
        record.attachment = ""
        record.attachment_name = ""
    _clean(record)
    record.save()
    _set_supervised(record, supervised)
    record.co_organisers.set(orgs)
    audit_record(
        actor=actor,
        action="activity.update",
        obj=record,
        unit=record.unit,
        before=before,
        after=snapshot(record),
    )
    return record


@transaction.atomic
def activity_record_delete(*, actor, record: ActivityRecord, reason: str = "") -> None:
    record = ActivityRecord.objects.select_for_update().select_related("unit").get(pk=record.pk)
    _require_change(actor, record)
    _ensure_unlocked(record.unit, record.date)
    before = snapshot(record)
    audit_record(
        actor=actor,
        action="activity.delete",
        obj=record,
        unit=record.unit,
        before=before,
        note=nfc(reason),
    )
    SupervisedUnit.objects.filter(record=record).delete()
    record.delete()


# -------------------------------------------------------------------- mediation


def _validate_case(
    unit: Unit, received_on: dt.date, outcome: str, closed_on: dt.date | None, title: str
):
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Chưa ghi nội dung vụ việc."]
    if received_on > _today():
        errors["received_on"] = ["Ngày tiếp nhận không được sau ngày hôm nay."]
    elif version_error := unit_date_error(unit=unit, start=received_on):
        errors["received_on"] = [version_error]
    if outcome == MediationOutcome.PENDING and closed_on is not None:
        errors["closed_on"] = ["Vụ việc đang hòa giải thì chưa có ngày kết thúc."]
    if outcome != MediationOutcome.PENDING and closed_on is None:
        errors["closed_on"] = ["Vụ việc đã có kết quả phải ghi ngày kết thúc."]
    if closed_on is not None and closed_on < received_on:
        errors["closed_on"] = ["Ngày kết thúc không được trước ngày tiếp nhận."]
    if closed_on is not None and closed_on > _today():
        errors["closed_on"] = ["Ngày kết thúc không được sau ngày hôm nay."]
    if errors:
        raise FieldErrors(errors)


@transaction.atomic
def mediation_case_create(
    *,
    actor,
    unit: Unit,
    received_on: dt.date,
    title: str,
    outcome: str = MediationOutcome.PENDING,
    closed_on: dt.date | None = None,
    notes: str = "",
) -> MediationCase:
    _require_edit(actor, unit)
    title = nfc(title)
    _validate_case(unit, received_on, outcome, closed_on, title)
    _ensure_unlocked(unit, received_on, closed_on)
    case = MediationCase(
        unit=unit,
        unit_path=unit.path,
        received_on=received_on,
        title=title,
        outcome=outcome,
        closed_on=closed_on,
        notes=(notes or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _clean(case)
    case.save()
    audit_record(actor=actor, action="mediation.create", obj=case, unit=unit, after=snapshot(case))
    return case


@transaction.atomic
def mediation_case_update(
    *,
    actor,
    case: MediationCase,
    received_on: dt.date,
    title: str,
    outcome: str,
    closed_on: dt.date | None,
    notes: str = "",
) -> MediationCase:
    case = MediationCase.objects.select_for_update().select_related("unit").get(pk=case.pk)
    _require_edit(actor, case.unit)
    title = nfc(title)
    _validate_case(case.unit, received_on, outcome, closed_on, title)
    # Closing a case changes the figures of the period it closes in, too.
    _ensure_unlocked(case.unit, case.received_on, case.closed_on)
    _ensure_unlocked(case.unit, received_on, closed_on)
    before = snapshot(case)
    case.received_on, case.title, case.outcome = received_on, title, outcome
    case.closed_on, case.notes = closed_on, (notes or "").strip()
    _clean(case)
    case.save()
    audit_record(
        actor=actor,
        action="mediation.update",
        obj=case,
        unit=case.unit,
        before=before,
        after=snapshot(case),
    )
    return case


@transaction.atomic
def mediation_case_delete(*, actor, case: MediationCase, reason: str = "") -> None:
    case = MediationCase.objects.select_for_update().select_related("unit").get(pk=case.pk)
    _require_edit(actor, case.unit)
    _ensure_unlocked(case.unit, case.received_on, case.closed_on)
    audit_record(
        actor=actor,
        action="mediation.delete",
        obj=case,
        unit=case.unit,
        before=snapshot(case),
        note=nfc(reason),
    )
    case.delete()


# ------------------------------------------------------------------- aggregates


@transaction.atomic
def aggregate_entries_save(
    *,
    actor,
    unit: Unit,
    period_start: dt.date,
    period_end: dt.date,
    values: Mapping[DataElement, int | None],
) -> list[AggregateEntry]:
    """Save one form (unit × period): a value per data element; None clears it.

    The form is validated as a whole with the rules (resolved ≤ received…),
    then written; unchanged values write nothing.
    """
    aggregate_errors = checks.aggregate_errors
    _require_edit(actor, unit)
    if period_start > _today():
        raise UserFacingError("Chưa đến kỳ này, chưa nhập được số liệu.")
    ensure_date_in_version(unit=unit, start=period_start, end=period_end)
    by_code = {e.code: v for e, v in values.items()}
    errors = aggregate_errors(
        rules=_rules(),
        values=by_code,
        names={e.code: e.name for e in values},
        unit_name=unit.name,
    )
    if errors:
        raise FieldErrors(errors)
    _ensure_unlocked(unit, period_start, period_end)
    existing = {
        e.element_id: e
        for e in AggregateEntry.objects.select_for_update().filter(
            unit=unit, period_start=period_start, period_end=period_end, element__in=list(values)
        )
    }
    saved = []
    for element, value in values.items():
        entry = existing.get(element.pk)
        if value is None:
            if entry is not None:
                audit_record(
                    actor=actor,
                    action="aggregate.delete",
                    obj=entry,
                    unit=unit,
                    before=snapshot(entry),
                )
                entry.delete()
            continue
        if entry is not None and entry.value == value:
            saved.append(entry)
            continue
        before = snapshot(entry)
        if entry is None:
            entry = AggregateEntry(
                unit=unit,
                unit_path=unit.path,
                element=element,
                period_start=period_start,
                period_end=period_end,
            )
        entry.value = value
        entry.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        _clean(entry)
        entry.save()
        audit_record(
            actor=actor,
            action="aggregate.update" if before else "aggregate.create",
            obj=entry,
            unit=unit,
            before=before,
            after=snapshot(entry),
        )
        saved.append(entry)
    return saved
