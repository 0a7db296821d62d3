"""Submission, approval, return, reopen: permissions, audit, lock."""

import datetime as dt

import pytest

from mattran.activities import services as act
from mattran.activities.models import ActivityType
from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.core.periods import Period
from mattran.reports import services
from mattran.reports.models import SubmissionStatus

P = Period.parse("2023-9M")


def test_full_cycle_with_audit_and_lock(records, people):
    ward = records["ward_a1"]
    editor, approver = people["editor_a1"], people["approver_a"]
    sub = services.submission_submit(actor=editor, unit=ward, period=P)
    assert sub.status == SubmissionStatus.SUBMITTED
    assert sub.figures["figures"]["tuyen_truyen"]["value"] == 2
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.submission_approve(actor=editor, submission=sub)
    with pytest.raises(UserFacingError, match="Cần ghi ý kiến"):
        services.submission_return(actor=approver, submission=sub, comment=" ")
    sub = services.submission_return(actor=approver, submission=sub, comment="Bổ sung số liệu")
    assert sub.status == SubmissionStatus.RETURNED and sub.comment == "Bổ sung số liệu"
    sub = services.submission_submit(actor=editor, unit=ward, period=P)
    sub = services.submission_approve(actor=approver, submission=sub)
    assert sub.locked
    record = act.activity_record_create  # noqa: F841 - the lock below is what matters
    with pytest.raises(UserFacingError, match="đã được phê duyệt và khóa"):
        act.activity_record_create(
            actor=editor,
            unit=ward,
            type=ActivityType.objects.get(code="toa_dam"),
            date=dt.date(2023, 5, 1),
            title="Muộn",
        )
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.submission_reopen(actor=editor, submission=sub, reason="Sửa")
    with pytest.raises(UserFacingError, match="Cần ghi ý kiến hoặc lý do"):
        services.submission_reopen(actor=approver, submission=sub, reason="")
    sub = services.submission_reopen(actor=approver, submission=sub, reason="Phường báo nhầm")
    act.activity_record_create(
        actor=editor,
        unit=ward,
        type=ActivityType.objects.get(code="toa_dam"),
        date=dt.date(2023, 5, 1),
        title="Bổ sung",
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="submission.")
        .order_by("id")
        .values_list("action", "note")
    )
    assert actions == [
        ("submission.submit", ""),
        ("submission.return", "Bổ sung số liệu"),
        ("submission.submit", ""),
        ("submission.approve", ""),
        ("submission.reopen", "Phường báo nhầm"),
    ]


def test_cannot_submit_twice_or_approve_own_level(records, people):
    ward = records["ward_a1"]
    sub = services.submission_submit(actor=people["editor_a1"], unit=ward, period=P)
    with pytest.raises(UserFacingError, match="đang ở trạng thái"):
        services.submission_submit(actor=people["editor_a1"], unit=ward, period=P)
    # A district editor may not approve; a viewer may not submit.
    with pytest.raises(UserFacingError):
        services.submission_approve(actor=people["editor_district_a"], submission=sub)
    with pytest.raises(UserFacingError):
        services.submission_submit(actor=people["viewer_a"], unit=records["ward_a2"], period=P)


def test_report_with_errors_cannot_be_submitted(records, people):
    from mattran.reports.models import ValidationRule

    # A record without attendance slipped in while the rule was off.
    ValidationRule.objects.filter(code="tuyen_truyen_ghi_so_nguoi").update(active=False)
    act.activity_record_create(
        actor=None,
        unit=records["ward_a2"],
        type=ActivityType.objects.get(code="tuyen_truyen"),
        date=dt.date(2023, 4, 4),
        title="Không ghi số người",
    )
    ValidationRule.objects.filter(code="tuyen_truyen_ghi_so_nguoi").update(active=True)
    with pytest.raises(UserFacingError) as exc:
        services.submission_submit(actor=people["editor_a2"], unit=records["ward_a2"], period=P)
    assert "Phường A2: 1 hoạt động “Tuyên truyền” chưa ghi số người tham dự." in exc.value.message
