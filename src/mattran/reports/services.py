"""Submission and approval of a unit's period report.

    (none) ──submit──▶ submitted ──approve──▶ approved (locked) ──reopen──▶ reopened
                           │                                                 │
                           └──return (comment)──▶ returned ◀── … ──submit ◀──┘

A unit's editor submits; an approver of the unit's parent (the district for a
ward) approves or returns it with a comment; approved data is locked
(`locks.py`); the approver reopens it with a reason. Every step is audited.

`Submission.figures` holds the figures as submitted and, once approved, the
figures that were approved: the figures of the data as it is when the approval
takes the lock that waits for edits in flight (`locks.lock_for_approval`), so an
edit either is in the approved figures or is refused, never lands unseen after
the approval. They are computed *before* that lock (`_approval_figures`) and kept
only if no change that could alter them was committed in between; else they are
computed again under the lock.

"In between" is told by the audit trail, which every write fills in its own
transaction: the events the moment before the figures did not see
(`core.audit.audit_mark`/`audit_since`). Not "events above the highest id": a
writer that takes no lock of the unit (the ledger, reference data) may hold an id
below one committed by another writer and commit after the figures were built.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from mattran.access.policy import Perm, policy_for
from mattran.core.audit import AuditMark, audit_mark, audit_record, audit_since, snapshot
from mattran.core.errors import UserFacingError
from mattran.core.periods import Period
from mattran.core.vietnamese import nfc
from mattran.units.models import Unit

from .models import Submission, SubmissionStatus

FIELDS = ["status", "submitted_by", "submitted_at", "decided_by", "decided_at", "comment"]


def can_approve(user, unit: Unit) -> bool:
    """Approvers of the parent unit decide on a unit's report (superusers for a root)."""
    policy = policy_for(user)
    if unit.parent_id is None:
        return policy.is_superuser
    return policy.can(Perm.APPROVE, unit.parent)


def _locked_row(unit: Unit, period: Period) -> Submission | None:
    return (
        Submission.objects.select_for_update()
        .filter(unit=unit, period_start=period.start, period_end=period.end)
        .first()
    )


def _status_error(sub: Submission | None, action: str) -> UserFacingError:
    state = sub.get_status_display().lower() if sub else "chưa nộp"
    return UserFacingError(f"Không thể {action}: báo cáo đang ở trạng thái “{state}”.")


def submission_submit(*, actor, unit: Unit, period: Period) -> Submission:
    """Submit the unit's report; refused while the report has errors (rules of severity error).

    The report is built before the transaction that locks the submission row, so the
    lock is held for a few statements, not for a whole report's computation. The
    stored figures are the report as submitted: edits stay open after a submission
    (only an approval locks them), so figures built a moment before the lock are as
    valid a snapshot as figures built under it.
    """
    from .selectors import report_build

    if not policy_for(actor).can(Perm.EDIT, unit):
        raise UserFacingError(f"Bạn không có quyền nộp báo cáo của {unit.name}.")
    sub = _row(unit, period)
    if sub is not None and sub.status not in (SubmissionStatus.RETURNED, SubmissionStatus.REOPENED):
        # Refused without building the report; checked again under the lock below.
        raise _status_error(sub, "nộp")
    report = report_build(user=actor, unit=unit, period=period)
    if report.errors:
        raise UserFacingError(
            "Chưa nộp được, báo cáo còn lỗi: " + " ".join(f.message for f in report.errors)
        )
    figures = report.as_dict(live=True)
    return _submit_locked(actor=actor, unit=unit, period=period, figures=figures)


def _row(unit: Unit, period: Period) -> Submission | None:
    return Submission.objects.filter(
        unit=unit, period_start=period.start, period_end=period.end
    ).first()


@transaction.atomic
def _submit_locked(*, actor, unit: Unit, period: Period, figures: dict) -> Submission:
    sub = _locked_row(unit, period)
    if sub is not None and sub.status not in (SubmissionStatus.RETURNED, SubmissionStatus.REOPENED):
        raise _status_error(sub, "nộp")
    before = snapshot(sub, FIELDS)
    if sub is None:
        sub = Submission(
            unit=unit, period_code=period.code, period_start=period.start, period_end=period.end
        )
    sub.status = SubmissionStatus.SUBMITTED
    sub.submitted_by = actor
    sub.submitted_at = timezone.now()
    sub.decided_by = None
    sub.decided_at = None
    sub.figures = figures
    sub.save()
    audit_record(
        actor=actor,
        action="submission.submit",
        obj=sub,
        unit=unit,
        before=before,
        after=snapshot(sub, FIELDS),
    )
    return sub


def _decide(
    *,
    actor,
    submission: Submission,
    expect: str,
    to: str,
    action: str,
    verb: str,
    comment: str = "",
    need_comment: bool = False,
    prepared: tuple[dict, AuditMark] | None = None,
) -> Submission:
    sub = Submission.objects.select_for_update().select_related("unit").get(pk=submission.pk)
    if not can_approve(actor, sub.unit):
        raise UserFacingError(f"Bạn không có quyền {verb} báo cáo của {sub.unit.name}.")
    if sub.status != expect:
        raise _status_error(sub, verb)
    comment = nfc(comment)
    if need_comment and not comment:
        raise UserFacingError(f"Cần ghi ý kiến hoặc lý do khi {verb} báo cáo.")
    before = snapshot(sub, FIELDS)
    if to == SubmissionStatus.APPROVED:
        from .locks import lock_for_approval

        lock_for_approval(sub.unit)
        if prepared is not None and not _changed_since(sub.unit, prepared[1]):
            sub.figures = prepared[0]
        else:
            # An edit landed after the figures were taken: afresh, under the lock, so
            # the figures approved hold every edit that was not refused (locks.py).
            sub.figures = _report_figures(actor, sub)
    sub.status = to
    sub.decided_by = actor
    sub.decided_at = timezone.now()
    sub.comment = comment
    sub.save()
    audit_record(
        actor=actor,
        action=action,
        obj=sub,
        unit=sub.unit,
        before=before,
        after=snapshot(sub, FIELDS),
        note=comment,
    )
    return sub


def submission_approve(*, actor, submission: Submission, comment: str = "") -> Submission:
    """Approve a submitted report, storing the figures of the data as it is when the
    approval locks out edits (see the module's text).

    The report is built before the transaction that takes that lock, as submit's is,
    so the lock (which every edit of the unit waits for) is held for a few
    statements, not for a whole report's computation; if an edit of what the report
    reads was committed after those figures were taken, they are built again under
    the lock."""
    sub = Submission.objects.select_related("unit").get(pk=submission.pk)
    if not can_approve(actor, sub.unit):
        raise UserFacingError(f"Bạn không có quyền duyệt báo cáo của {sub.unit.name}.")
    if sub.status != SubmissionStatus.SUBMITTED:
        # Refused without building the report; checked again under the lock below.
        raise _status_error(sub, "duyệt")
    prepared = _approval_figures(actor, sub)
    with transaction.atomic():
        return _decide(
            actor=actor,
            submission=submission,
            expect=SubmissionStatus.SUBMITTED,
            to=SubmissionStatus.APPROVED,
            action="submission.approve",
            verb="duyệt",
            comment=comment,
            prepared=prepared,
        )


def _report_figures(actor, sub: Submission) -> dict:
    from .selectors import report_build

    # Afresh, not from the figures cache: a cached entry is keyed by versions that
    # move only after a write's commit, a moment after the write is visible.
    period = Period.parse(sub.period_code)
    return report_build(user=actor, unit=sub.unit, period=period, cached=False).as_dict(live=True)


def _approval_figures(actor, sub: Submission) -> tuple[dict, AuditMark]:
    """The report's figures and the audit trail's mark from just before them.

    The brief transaction waits, as the approval's own lock does, for every edit of
    the unit in flight to commit (so the figures hold it), then takes the mark: every
    change of what the report reads writes an audit event in its transaction, so
    "no such event unseen by the mark" under the approval's lock means the data the
    figures read has not changed since. An edit of the unit that starts after the
    mark and a ledger write still in flight at the mark are both unseen by it."""
    from .locks import wait_for_edits

    with transaction.atomic():
        wait_for_edits(sub.unit)
        mark = audit_mark()
    return _report_figures(actor, sub), mark


# More events than this since the figures were taken (an import): compute again.
_CHANGED_SCAN_LIMIT = 500


def _changed_since(unit: Unit, mark: AuditMark) -> bool:
    """Has an event that could change `unit`'s report been committed since `mark`?
    An event counts when the data versions it bumps (core/versions.py) are among
    those the report reads (figures/cached.py): the unit's subtree, the reference
    data, the ledger, the structure versions lineage may carry records from."""
    from mattran.core import versions
    from mattran.figures.cached import unit_version_names

    events = list(
        audit_since(mark)
        .order_by()  # any order: the model's (by time) could lead PostgreSQL off the index
        .select_related("unit")
        .only("object_type", "unit", "unit__path", "unit__version")[: _CHANGED_SCAN_LIMIT + 1]
    )
    if len(events) > _CHANGED_SCAN_LIMIT:
        return True
    read = set(unit_version_names(unit))
    return any(
        read.intersection(versions.names_for_audit(unit=e.unit, object_type=e.object_type))
        for e in events
    )


@transaction.atomic
def submission_return(*, actor, submission: Submission, comment: str) -> Submission:
    return _decide(
        actor=actor,
        submission=submission,
        expect=SubmissionStatus.SUBMITTED,
        to=SubmissionStatus.RETURNED,
        action="submission.return",
        verb="trả lại",
        comment=comment,
        need_comment=True,
    )


@transaction.atomic
def submission_reopen(*, actor, submission: Submission, reason: str) -> Submission:
    return _decide(
        actor=actor,
        submission=submission,
        expect=SubmissionStatus.APPROVED,
        to=SubmissionStatus.REOPENED,
        action="submission.reopen",
        verb="mở khóa",
        comment=reason,
        need_comment=True,
    )
