import datetime as dt

import pytest

from mattran.access.models import Role
from mattran.activities import services
from mattran.activities.models import ActivityType, AggregateEntry, DataElement
from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.reports.models import Submission
from mattran.units.models import MemberOrganisation
from tests.factories import UserFactory, grant

D = dt.date(2023, 3, 1)


def t(code):
    return ActivityType.objects.get(code=code)


@pytest.fixture
def editor(tree):
    user = UserFactory()
    grant(user, tree["ward_a1"], Role.EDITOR)
    return user


def test_editor_records_an_activity_with_audit(tree, editor):
    rec = services.activity_record_create(
        actor=editor,
        unit=tree["ward_a1"],
        type=t("tuyen_truyen"),
        date=D,
        title="  Tuyên truyền  PCCC ",
        attendance=80,
    )
    assert rec.unit_path == tree["ward_a1"].path
    assert rec.title == "Tuyên truyền PCCC"
    event = AuditEvent.objects.get(action="activity.create", object_id=str(rec.pk))
    assert event.actor == editor and event.after["attendance"] == 80


def test_editor_cannot_record_for_another_ward(tree, editor):
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.activity_record_create(
            actor=editor, unit=tree["ward_a2"], type=t("toa_dam"), date=D, title="Tọa đàm"
        )


def test_rules_are_data_and_speak_vietnamese(tree, editor):
    with pytest.raises(services.FieldErrors) as exc:
        services.activity_record_create(
            actor=editor, unit=tree["ward_a1"], type=t("tuyen_truyen"), date=D, title="X"
        )
    assert exc.value.errors["attendance"] == ["Cuộc tuyên truyền phải ghi số người tham dự."]
    with pytest.raises(services.FieldErrors) as exc:
        services.activity_record_create(
            actor=editor, unit=tree["ward_a1"], type=t("phan_bien"), date=D, title="PB"
        )
    assert "đề án" in exc.value.errors["subject"][0]
    # Switching the rule off (data, no code) lets the record through.
    from mattran.reports.models import ValidationRule

    ValidationRule.objects.filter(code="tuyen_truyen_ghi_so_nguoi").update(active=False)
    services.activity_record_create(
        actor=editor, unit=tree["ward_a1"], type=t("tuyen_truyen"), date=D, title="X"
    )


def test_future_dates_and_foreign_supervised_units_are_refused(tree):
    with pytest.raises(services.FieldErrors) as exc:
        services.activity_record_create(
            actor=None,
            unit=tree["district_a"],
            type=t("doan_giam_sat"),
            date=dt.date.today() + dt.timedelta(days=2),
            title="Đoàn",
            subject="Nội dung",
            supervised_units=[tree["ward_b1"]],
        )
    assert "sau ngày hôm nay" in exc.value.errors["date"][0]
    assert "Phường B1" in exc.value.errors["supervised_units"][0]


def test_member_organisation_reporter_records_for_their_organisation_only(tree):
    women = MemberOrganisation.objects.create(unit=tree["district_a"], name="Hội LHPN quận")
    youth = MemberOrganisation.objects.create(unit=tree["district_a"], name="Quận đoàn")
    reporter = UserFactory()
    grant(reporter, tree["district_a"], Role.MEMBER_ORG_REPORTER, member_organisation=women)
    rec = services.activity_record_create(
        actor=reporter,
        unit=tree["district_a"],
        type=t("toa_dam"),
        date=D,
        title="Tọa đàm 8/3",
        member_organisation=women,
    )
    assert list(rec.co_organisers.all()) == [women]
    with pytest.raises(UserFacingError):
        services.activity_record_create(
            actor=reporter,
            unit=tree["district_a"],
            type=t("toa_dam"),
            date=D,
            title="Không phải của tôi",
            member_organisation=youth,
        )
    other = services.activity_record_create(
        actor=None, unit=tree["district_a"], type=t("toa_dam"), date=D, title="Của quận"
    )
    with pytest.raises(UserFacingError):
        services.activity_record_update(
            actor=reporter, record=other, type=t("toa_dam"), date=D, title="Sửa trộm"
        )


def test_locked_period_refuses_edits_in_vietnamese(tree, editor):
    rec = services.activity_record_create(
        actor=editor, unit=tree["area_a1"], type=t("toa_dam"), date=D, title="Tọa đàm"
    )
    Submission.objects.create(
        unit=tree["ward_a1"],
        period_code="2023-9M",
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2023, 9, 30),
        status="approved",
    )
    msg = "đã được phê duyệt và khóa"
    with pytest.raises(UserFacingError, match=msg) as exc:
        services.activity_record_update(
            actor=editor, record=rec, type=t("toa_dam"), date=D, title="Sửa"
        )
    assert "9 tháng đầu năm 2023 của Phường A1" in exc.value.message
    with pytest.raises(UserFacingError, match=msg):
        services.activity_record_delete(actor=editor, record=rec, reason="nhầm")
    with pytest.raises(UserFacingError, match=msg):  # a new record inside the period
        services.activity_record_create(
            actor=editor, unit=tree["ward_a1"], type=t("toa_dam"), date=D, title="Mới"
        )
    services.activity_record_create(  # after the period: fine
        actor=editor,
        unit=tree["ward_a1"],
        type=t("toa_dam"),
        date=dt.date(2023, 10, 2),
        title="Tháng 10",
    )


def test_aggregate_form_is_validated_as_a_whole(tree, editor):
    received = DataElement.objects.get(code="don_thu_tiep_nhan")
    forwarded = DataElement.objects.get(code="don_thu_da_chuyen")
    args = {
        "actor": editor,
        "unit": tree["ward_a1"],
        "period_start": dt.date(2023, 9, 1),
        "period_end": dt.date(2023, 9, 30),
    }
    with pytest.raises(services.FieldErrors) as exc:
        services.aggregate_entries_save(**args, values={received: 3, forwarded: 5})
    assert exc.value.errors["don_thu_da_chuyen"] == [
        "Phường A1: số đơn thư đã chuyển (5) lớn hơn số đơn thư tiếp nhận (3)."
    ]
    with pytest.raises(services.FieldErrors) as exc:
        services.aggregate_entries_save(**args, values={received: -1, forwarded: None})
    assert "không được là số âm" in exc.value.errors["don_thu_tiep_nhan"][0]
    assert not AggregateEntry.objects.exists()
    services.aggregate_entries_save(**args, values={received: 5, forwarded: 5})
    services.aggregate_entries_save(**args, values={received: 6, forwarded: None})
    assert {e.element.code: e.value for e in AggregateEntry.objects.all()} == {
        "don_thu_tiep_nhan": 6
    }
    assert AuditEvent.objects.filter(action__startswith="aggregate.").count() == 4


def test_mediation_case_dates_are_checked(tree, editor):
    with pytest.raises(services.FieldErrors) as exc:
        services.mediation_case_create(
            actor=editor,
            unit=tree["ward_a1"],
            received_on=D,
            title="Tranh chấp",
            outcome="resolved",
            closed_on=None,
        )
    assert exc.value.errors["closed_on"] == ["Vụ việc đã có kết quả phải ghi ngày kết thúc."]
    with pytest.raises(services.FieldErrors):
        services.mediation_case_create(
            actor=editor,
            unit=tree["ward_a1"],
            received_on=D,
            title="Tranh chấp",
            outcome="resolved",
            closed_on=D - dt.timedelta(days=1),
        )
    case = services.mediation_case_create(
        actor=editor, unit=tree["ward_a1"], received_on=D, title="Tranh chấp"
    )
    services.mediation_case_update(
        actor=editor,
        case=case,
        received_on=D,
        title="Tranh chấp",
        outcome="resolved",
        closed_on=D + dt.timedelta(days=3),
    )
    case.refresh_from_db()
    assert case.outcome == "resolved"
