"""Writes of scoring: evidence, score sheets (self-scoring, submission,
verification, return), locking and reopening a pledge's results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from mattran.access.policy import Perm, require_any_perm, require_perm
from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError, full_clean_or_raise
from mattran.core.uploads import original_name
from mattran.core.vietnamese import nfc
from mattran.units.models import Unit

from ..models import (
    Criterion,
    CriterionKind,
    CriterionScore,
    Evidence,
    Pledge,
    PledgeStatus,
    ProposalStatus,
    ScoreSheet,
    SheetStatus,
)
from ..scoring import format_points, rank, validate_points
from ..uploads import file_safe_snapshot as snapshot
from ._common import _now, _text
from .pledges import _lock_pledge

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
    from ..selectors import sheet_totals

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
