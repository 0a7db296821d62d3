import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.emulation import selectors, services
from mattran.emulation.models import (
    AwardType,
    CriterionScore,
    PledgeMember,
    PledgeStatus,
    ProposalStatus,
    Rating,
    ScoreSheet,
    SheetStatus,
)
from tests.factories import make_unit

from .conftest import pdf_file

pytestmark = pytest.mark.django_db
D = Decimal


def _codes(pledge):
    return {c.code: c for c in pledge.criteria.all()}


def _self_score(people, pledge, unit, points: dict[str, str], user="ward_editor"):
    sheet = services.score_sheet_ensure(actor=people[user], pledge=pledge, unit=unit)
    c = _codes(pledge)
    services.sheet_self_score(
        actor=people[user],
        sheet=sheet,
        entries=[
            services.SelfScore(criterion_id=c[code].pk, points=D(p), note=f"Giải trình {code}")
            for code, p in points.items()
        ],
    )
    return sheet


def _verify(people, pledge, sheet, points: dict[str, tuple[str, str]]):
    c = _codes(pledge)
    return services.sheet_verify(
        actor=people["district_approver"],
        sheet=sheet,
        entries=[
            services.Verification(criterion_id=c[code].pk, points=D(p), reason=reason)
            for code, (p, reason) in points.items()
        ],
    )


def _evidence(people, pledge, unit, user="ward_editor"):
    services.evidence_add(
        actor=people[user],
        criterion=_codes(pledge)["CT2"],
        unit=unit,
        file=pdf_file("ke-hoach-giam-sat.pdf"),
    )


def test_self_score_verify_lock_rank_flow_is_audited(tree, people, pledge):
    a1, a2 = tree["ward_a1"], tree["ward_a2"]
    # a requirement scored above 0 needs evidence first
    with pytest.raises(UserFacingError, match="cần nộp minh chứng"):
        _self_score(people, pledge, a1, {"CT2": "30"})
    _evidence(people, pledge, a1)
    sheet1 = _self_score(people, pledge, a1, {"CT1": "40", "CT2": "30", "CT3": "30"})
    with pytest.raises(UserFacingError, match="điểm phải từ 0 đến 45"):
        _self_score(people, pledge, a1, {"CT1": "46"})
    services.sheet_submit(actor=people["ward_editor"], sheet=sheet1)

    sheet2 = _self_score(people, pledge, a2, {"CT1": "20", "CT2": "0"}, user="ward2_editor")
    with pytest.raises(UserFacingError, match="Chưa tự chấm các tiêu chí: CT3"):
        services.sheet_submit(actor=people["ward2_editor"], sheet=sheet2)
    _self_score(people, pledge, a2, {"CT3": "24"}, user="ward2_editor")
    services.sheet_submit(actor=people["ward2_editor"], sheet=sheet2)

    # the ward cannot score again after submitting, nor verify
    with pytest.raises(UserFacingError, match="Phiếu đã gửi"):
        _self_score(people, pledge, a1, {"CT1": "45"})
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.sheet_verify(
            actor=people["ward_editor"],
            sheet=sheet1,
            entries=[
                services.Verification(criterion_id=c.pk, points=D(30))
                for c in pledge.criteria.all()
            ],
        )

    # a change without a reason is refused; with one it is kept
    with pytest.raises(
        UserFacingError, match="CT3: điểm thẩm định khác điểm tự chấm, cần ghi lý do"
    ):
        _verify(people, pledge, sheet1, {"CT1": ("40", ""), "CT2": ("30", ""), "CT3": ("24", "")})
    _verify(
        people,
        pledge,
        sheet1,
        {
            "CT1": ("40", ""),
            "CT2": ("30", ""),
            "CT3": ("24", "Quận xếp loại hoàn thành tốt, không phải xuất sắc"),
        },
    )
    with pytest.raises(UserFacingError, match="Chưa thẩm định xong: Phường A2"):
        services.pledge_lock(actor=people["district_approver"], pledge=pledge)
    _verify(people, pledge, sheet2, {"CT1": ("20", ""), "CT2": ("0", ""), "CT3": ("24", "")})
    services.pledge_lock(actor=people["district_approver"], pledge=pledge)

    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.LOCKED
    sheet1.refresh_from_db()
    sheet2.refresh_from_db()
    assert (sheet1.final_total, sheet1.final_rank) == (D(94), 1)
    assert (sheet2.final_total, sheet2.final_rank) == (D(44), 2)
    changed = CriterionScore.objects.get(sheet=sheet1, criterion__code="CT3")
    assert changed.self_points == D(30) and changed.verified_points == D(24)

    # locked: nothing can change any more
    with pytest.raises(UserFacingError, match="đã khóa"):
        _verify(people, pledge, sheet2, {"CT1": ("40", "x"), "CT2": ("0", ""), "CT3": ("24", "")})
    with pytest.raises(UserFacingError, match="đã khóa"):
        _self_score(people, pledge, a2, {"CT1": "40"}, user="ward2_editor")
    with pytest.raises(UserFacingError, match="đang thực hiện"):
        _evidence(people, pledge, a2, user="ward2_editor")
    with pytest.raises(UserFacingError, match="đã khóa"):
        services.sheet_return(actor=people["district_approver"], sheet=sheet1, reason="x")

    actions = list(AuditEvent.objects.values_list("action", flat=True))
    for action in ("evidence.add", "score.self", "sheet.submit", "score.verify", "sheet.verify"):
        assert action in actions
    lock = AuditEvent.objects.get(action="pledge.lock")
    total, rank_ = lock.after["ranking"][str(a1.pk)]
    assert (D(total), rank_) == (D(94), 1)
    verify = AuditEvent.objects.get(action="score.verify", note__contains="Quận xếp loại")
    assert "30 → 24 – Quận xếp loại" in verify.note


def test_database_refuses_a_changed_score_without_reason(tree, people, pledge):
    from django.db import IntegrityError, transaction

    sheet = ScoreSheet.objects.create(pledge=pledge, unit=tree["ward_a1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionScore.objects.create(
            sheet=sheet,
            criterion=_codes(pledge)["CT1"],
            self_points=D(40),
            verified_points=D(30),
            verify_reason="",
        )


def test_return_sends_the_sheet_back_with_a_reason(tree, people, pledge):
    _evidence(people, pledge, tree["ward_a1"])
    sheet = _self_score(people, pledge, tree["ward_a1"], {"CT1": "40", "CT2": "30", "CT3": "30"})
    services.sheet_submit(actor=people["ward_editor"], sheet=sheet)
    with pytest.raises(UserFacingError, match="Lý do trả lại không được để trống"):
        services.sheet_return(actor=people["district_approver"], sheet=sheet, reason="  ")
    services.sheet_return(
        actor=people["district_approver"], sheet=sheet, reason="Thiếu biên bản mô hình"
    )
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT
    _self_score(people, pledge, tree["ward_a1"], {"CT1": "35"})
    assert AuditEvent.objects.get(action="sheet.return").note == "Thiếu biên bản mô hình"


def _complete(people, pledge, tree, totals):
    """Self-score and verify every member so that each ends with the given CT1 points."""
    for unit, ct1 in totals.items():
        # a district editor may score on a ward's behalf
        sheet = _self_score(
            people, pledge, unit, {"CT1": ct1, "CT2": "0", "CT3": "30"}, "district_editor"
        )
        services.sheet_submit(actor=people["district_editor"], sheet=sheet)
        _verify(people, pledge, sheet, {"CT1": (ct1, ""), "CT2": ("0", ""), "CT3": ("30", "")})


def test_ties_share_a_rank_and_the_boundary_tie_is_proposed_whole(tree, people, pledge):
    extra = [make_unit(f"Phường A{i}", tree["district_a"]) for i in (3, 4)]
    PledgeMember.objects.bulk_create([PledgeMember(pledge=pledge, unit=u) for u in extra])
    a1, a2 = tree["ward_a1"], tree["ward_a2"]
    _complete(people, pledge, tree, {a1: "40", a2: "35", extra[0]: "35", extra[1]: "10"})
    services.pledge_lock(actor=people["district_approver"], pledge=pledge)
    table = selectors.pledge_ranking(pledge=pledge, units=selectors.pledge_members(pledge=pledge))
    assert [(r.unit.name, r.rank, r.tied) for r in table.rows] == [
        ("Phường A1", 1, False),
        ("Phường A2", 2, True),
        ("Phường A3", 2, True),
        ("Phường A4", 4, False),
    ]
    flag = AwardType.objects.get(code="giay-khen")
    proposals = services.proposals_from_ranking(
        actor=people["district_approver"], pledge=pledge, award_type=flag, top=2
    )
    assert sorted(p.recipient_unit.name for p in proposals) == [
        "Phường A1",
        "Phường A2",
        "Phường A3",
    ]
    assert {p.status for p in proposals} == {ProposalStatus.PROPOSED}
    # asking again adds nothing
    assert (
        services.proposals_from_ranking(
            actor=people["district_approver"], pledge=pledge, award_type=flag, top=2
        )
        == []
    )


def test_reopen_needs_an_administrator_and_a_reason(tree, people, pledge):
    _complete(people, pledge, tree, {tree["ward_a1"]: "40", tree["ward_a2"]: "30"})
    services.pledge_lock(actor=people["district_approver"], pledge=pledge)
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.pledge_reopen(actor=people["district_approver"], pledge=pledge, reason="Sai")
    services.pledge_reopen(
        actor=people["district_admin"], pledge=pledge, reason="Phường A2 khiếu nại điểm CT1"
    )
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ACTIVE
    assert not ScoreSheet.objects.filter(final_rank__isnull=False).exists()


# ------------------------------------------------------------------------------- pages


def _post_scores(client, url, prefix, values, action, reasons=None):
    data = {"action": action}
    for cid, v in values.items():
        data[f"{prefix}_{cid}"] = v
    for cid, r in (reasons or {}).items():
        data[f"reason_{cid}"] = r
    return client.post(url, data)


def test_sheet_page_permissions(client, tree, people, pledge):
    c = _codes(pledge)
    url = f"/thi-dua/giao-uoc/{pledge.pk}/cham-diem/{tree['ward_a1'].pk}/"
    client.force_login(people["ward_editor"])
    assert client.get(url).status_code == 200
    # the ward's user cannot open a sibling ward's sheet
    other = f"/thi-dua/giao-uoc/{pledge.pk}/cham-diem/{tree['ward_a2'].pk}/"
    assert client.get(other).status_code == 404
    _evidence(people, pledge, tree["ward_a1"])
    response = _post_scores(
        client, url, "self", {c["CT1"].pk: "40", c["CT2"].pk: "30", c["CT3"].pk: "27,5"}, "submit"
    )
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(unit=tree["ward_a1"])
    assert sheet.status == SheetStatus.SUBMITTED
    assert CriterionScore.objects.get(sheet=sheet, criterion=c["CT3"]).self_points == D("27.5")
    assert "0 mô hình / chỉ tiêu 3 mô hình" in (
        CriterionScore.objects.get(sheet=sheet, criterion=c["CT1"]).self_value
    )
    # the ward editor cannot verify: the action is not there for them
    response = _post_scores(client, url, "ver", {c["CT1"].pk: "0"}, "verify")
    assert response.status_code == 404
    # an approver of another district does not even see the pledge
    client.force_login(people["other_approver"])
    assert client.get(url).status_code == 404
    assert client.get(f"/thi-dua/giao-uoc/{pledge.pk}/xep-hang/").status_code == 404
    # the district approver verifies, changing CT3 with a reason
    client.force_login(people["district_approver"])
    response = _post_scores(
        client,
        url,
        "ver",
        {c["CT1"].pk: "40", c["CT2"].pk: "30", c["CT3"].pk: "24"},
        "verify",
    )
    assert "cần ghi lý do" in response.content.decode()
    response = _post_scores(
        client,
        url,
        "ver",
        {c["CT1"].pk: "40", c["CT2"].pk: "30", c["CT3"].pk: "24"},
        "verify",
        reasons={c["CT3"].pk: "Xếp loại hoàn thành tốt"},
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.VERIFIED


def test_ranking_page_queries_do_not_grow_and_members_see_it_only_when_locked(
    client, tree, people, pledge, django_assert_max_num_queries
):
    _complete(people, pledge, tree, {tree["ward_a1"]: "40", tree["ward_a2"]: "30"})
    url = f"/thi-dua/giao-uoc/{pledge.pk}/xep-hang/"
    client.force_login(people["viewer"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    extra = [make_unit(f"Phường A{i}", tree["district_a"]) for i in range(3, 9)]
    PledgeMember.objects.bulk_create([PledgeMember(pledge=pledge, unit=u) for u in extra])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    with django_assert_max_num_queries(12):
        client.get(url)

    client.force_login(people["ward_editor"])
    assert client.get(url).status_code == 404  # provisional ranking: organiser only
    PledgeMember.objects.filter(unit__in=extra).delete()
    services.pledge_lock(actor=people["district_approver"], pledge=pledge)
    response = client.get(url)
    assert response.status_code == 200
    assert "Kết quả chính thức" in response.content.decode()


def test_sheet_page_renders_scores_for_a_locked_pledge(client, tree, people, pledge):
    _complete(people, pledge, tree, {tree["ward_a1"]: "40", tree["ward_a2"]: "30"})
    services.pledge_lock(actor=people["district_approver"], pledge=pledge)
    client.force_login(people["ward_editor"])
    html = client.get(f"/thi-dua/giao-uoc/{pledge.pk}/cham-diem/{tree['ward_a1'].pk}/").content
    html = html.decode()
    assert "Kết quả đã khóa" in html
    assert 'name="self_' not in html and 'name="ver_' not in html


# ----------------------------------------------------------------------------- exports


def test_scoring_table_exports(client, tree, people, pledge):
    from docx import Document
    from openpyxl import load_workbook

    tree["ward_a2"].name = "=HYPERLINK(1)"  # hostile text never becomes a formula
    tree["ward_a2"].save()
    _complete(people, pledge, tree, {tree["ward_a1"]: "40", tree["ward_a2"]: "30"})
    services.pledge_lock(actor=people["district_approver"], pledge=pledge)
    client.force_login(people["viewer"])

    xlsx = client.get(f"/thi-dua/giao-uoc/{pledge.pk}/xep-hang.xlsx")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content))["Xếp hạng"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == "ỦY BAN MTTQ VIỆT NAM" and rows[1][0] == "QUẬN A"
    data = {r[1]: r for r in rows if r and r[1] in ("Phường A1", "'=HYPERLINK(1)")}
    assert data["Phường A1"][0] == "1" and data["Phường A1"][-1] == 70.0
    assert data["'=HYPERLINK(1)"][-1] == 60.0

    docx = client.get(f"/thi-dua/giao-uoc/{pledge.pk}/xep-hang.docx")
    assert docx.status_code == 200
    doc = Document(io.BytesIO(docx.content))
    header = doc.tables[0].rows[0].cells
    assert "ỦY BAN MTTQ VIỆT NAM" in header[0].text and "QUẬN A" in header[0].text
    today = dt.date.today()  # noqa: DTZ011
    from mattran.core.vietnamese import format_date_decree30

    assert f"A, {format_date_decree30(today)}" in header[1].text
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM 2023" in body
    grid = doc.tables[1]
    assert [c.text for c in grid.rows[2].cells][:2] == ["1", "Phường A1"]
    assert grid.rows[2].cells[-1].text == "70"
    assert client.get(f"/thi-dua/giao-uoc/{pledge.pk}/xep-hang.pdf").status_code == 404


def test_ratings_page_sets_ratings_for_members(client, tree, people, pledge):
    client.force_login(people["district_approver"])
    url = f"/thi-dua/giao-uoc/{pledge.pk}/xep-loai/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            f"u{tree['ward_a1'].pk}-rating": Rating.EXCELLENT,
            f"u{tree['ward_a1'].pk}-note": "Dẫn đầu khối phường",
        },
    )
    assert response.status_code == 302
    progress = selectors.pledge_progress(user=people["viewer"], pledge=pledge)
    ct3 = progress.criteria[2].cells[0]
    assert ct3.rating == Rating.EXCELLENT and ct3.assessment.points == D(30)
    client.force_login(people["ward_editor"])
    assert client.get(url).status_code == 404
