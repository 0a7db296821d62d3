"""The Thanh Xuân 2023 demo built from seed 000."""

import datetime as dt
from io import StringIO

import pytest

from mattran.demo.loader import load_demo
from mattran.emulation.demo import KEY_TASKS_2023, thanh_xuan
from mattran.emulation.models import CoordinationProgram, KeyTask, ProgramStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_db(demo_module, db, settings, tmp_path):
    """load_demo's data, built once per run (tests/conftest.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_key_tasks_and_programs_of_2023(demo_db):
    district = thanh_xuan()
    texts = list(
        KeyTask.objects.filter(unit=district, year=2023)
        .order_by("order")
        .values_list("text", flat=True)
    )
    assert len(texts) == 9
    assert texts == KEY_TASKS_2023
    assert texts[4] == "Tích cực tham gia xây dựng Đảng, xây dựng chính quyền"
    assert texts[0].endswith("kỷ niệm 93 năm ngày truyên thống MTTQ Việt Nam")

    # sixteen programs signed on the conference day; loading again adds nothing
    programs = CoordinationProgram.objects.filter(unit=district, year=2023)
    assert programs.count() == 16
    assert set(programs.values_list("status", "signed_on")) == {
        (ProgramStatus.SIGNED, dt.date(2023, 1, 13))
    }
    doan = programs.get(member_organisation__short_name="Quận đoàn")
    assert doan.items.count() == 9
    assert set(doan.signatories.values_list("full_name", flat=True)) == {
        "Khổng Minh Thảo",
        "Hồ Anh Tuấn",
    }
    load_demo(StringIO())
    assert CoordinationProgram.objects.filter(unit=district).count() == 16
    assert KeyTask.objects.filter(unit=district).count() == 9


def test_pledge_of_2023_with_six_targets_ledger_progress_and_ranking(demo_db):
    from decimal import Decimal

    from mattran.emulation import selectors
    from mattran.emulation.demo import PLEDGE_TITLE, TARGETS_2023
    from mattran.emulation.models import CriterionScore, Pledge, PledgeStatus
    from mattran.funds.models import LedgerEntry

    pledge = Pledge.objects.get(unit=thanh_xuan(), year=2023)
    assert pledge.title == PLEDGE_TITLE and pledge.status == PledgeStatus.LOCKED
    criteria = list(pledge.criteria.order_by("order"))
    assert [c.text for c in criteria] == [t["text"] for t in TARGETS_2023]
    assert criteria[0].text == "Hoàn thành và vượt chỉ tiêu vận động quỹ “Vì người nghèo” năm 2023"
    assert sum(c.points for c in criteria) == Decimal(100)
    assert pledge.members.count() == 11
    assert criteria[0].targets.count() == 11

    # progress is computed from the ledger: Nhân Chính's receipts into its poor fund
    nhan_chinh = pledge.members.get(unit__name="Phường Nhân Chính").unit
    ledger = sum(
        e.sign * e.amount
        for e in LedgerEntry.objects.filter(
            fund__unit=nhan_chinh, fund__kind="poor", kind="receipt"
        )
    )
    assert ledger == 268_500_000
    progress = selectors.compute_progress(
        pledge=pledge,
        units=[nhan_chinh],
        period=selectors.progress_period(pledge),
    )
    cells = {c.criterion.code: c for c in progress.by_unit[nhan_chinh.pk]}
    assert cells["CT1"].value == ledger and cells["CT1"].assessment.status == "exceeded"
    assert cells["CT3"].value == 4

    table = selectors.pledge_ranking(pledge=pledge, units=selectors.pledge_members(pledge=pledge))
    top = [(r.unit.name, r.rank, r.tied, r.total) for r in table.rows[:4]]
    assert top == [
        ("Phường Nhân Chính", 1, False, Decimal(105)),
        ("Phường Phương Liệt", 2, True, Decimal(103)),
        ("Phường Thượng Đình", 2, True, Decimal(103)),
        ("Phường Thanh Xuân Bắc", 4, False, Decimal("102.85")),
    ]
    changed = CriterionScore.objects.filter(sheet__pledge=pledge).exclude(verify_reason="")
    assert {(s.sheet.unit.name, s.criterion.code) for s in changed} == {
        ("Phường Khương Đình", "CT3"),
        ("Phường Thượng Đình", "CT5"),
    }


def test_commendations_conference_and_published_article(demo_db, client):
    from mattran.emulation.models import CommendationDecision, Conference
    from mattran.news.models import Article

    district = thanh_xuan()
    decision = CommendationDecision.objects.get(unit=district, achievement_year=2023)
    assert decision.number == "01/QĐ-MTTQ"
    assert sorted(c.recipient_unit.name for c in decision.commendations.all()) == [
        "Phường Nhân Chính",
        "Phường Phương Liệt",
        "Phường Thượng Đình",
    ]
    awards_2022 = CommendationDecision.objects.filter(unit=district, achievement_year=2022)
    assert {d.award_type.code for d in awards_2022} == {"bang-khen-tw", "bang-khen-tp-ha-noi"}
    assert all("không nêu" in d.source_note for d in awards_2022)

    conference = Conference.objects.get(unit=district)
    assert conference.held_on == dt.date(2023, 1, 13) and conference.chair.full_name == (
        "Khổng Minh Thảo"
    )
    names = set(conference.attendees.values_list("full_name", flat=True))
    assert {"Nguyễn Minh Tiến", "Khổng Minh Thảo", "Hồ Anh Tuấn", "Phan Thị Thanh Hương"} <= names
    assert conference.programs.count() == 16 and conference.pledges.count() == 1
    assert set(conference.decisions.all()) == set(awards_2022)

    article = Article.objects.get(source_conference=conference)
    assert article.is_published
    response = client.get(article.get_absolute_url())  # public, no login
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sáng 13/01/2023, Ủy ban MTTQ Việt Nam quận Thanh Xuân tổ chức Hội nghị" in html
    assert "nhấn mạnh 09 nhiệm vụ trọng tâm" in html and "06 chỉ tiêu trọng tâm" in html
    assert "cho các tập thể, cá nhân đã có những thành tích xuất sắc" in html

    # seed 003 as an article drafted from the Đống Đa report, linked as "other news"
    review = Article.objects.get(source_label="Báo cáo 9 tháng đầu năm 2023 – Quận Đống Đa")
    assert review.title == (
        "Ủy ban MTTQ Việt Nam quận Đống Đa sơ kết công tác Mặt trận 9 tháng đầu năm 2023"
    )
    assert review.paragraphs[0] == (
        "Chiều ngày 14/9, Ủy ban MTTQ Việt Nam quận Đống Đa đã tổ chức Hội nghị Sơ kết công tác "
        "Mặt trận 9 tháng đầu năm 2023. Đồng chí Nguyễn Thị Minh Hiền – UVTV, Chủ tịch Ủy ban "
        "MTTQ Việt Nam quận chủ trì Hội nghị."
    )
    assert "Phối hợp tổ chức 103 cuộc tuyên truyền với 9.856 lượt người tham dự" in review.body
    other = html[html.index('data-testid="other-news"') :]
    assert review.title in other
