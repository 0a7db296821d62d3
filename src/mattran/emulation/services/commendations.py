"""Writes of commendations: proposals (one by one or from a ranking), decisions
and the commendations they grant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db import transaction

from mattran.access.policy import Perm, require_any_perm, require_perm
from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError, full_clean_or_raise
from mattran.core.uploads import original_name
from mattran.core.vietnamese import nfc
from mattran.units.models import MemberOrganisation, Person, Unit

from ..models import (
    AwardType,
    Commendation,
    CommendationDecision,
    CommendationProposal,
    Pledge,
    ProposalStatus,
    ScoreSheet,
)
from ..scoring import format_points
from ..uploads import file_safe_snapshot as snapshot
from ._common import _in_subtree, _text
from .pledges import _lock_pledge

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
