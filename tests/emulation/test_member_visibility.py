"""A member unit's users see the organiser's pledge (their own rows, the peer ranking
once it is locked), but no other record of the organiser: its conferences and its
commendation proposals stay 404 for them, so the pages they may open must not list
them either (found by tests/security/test_access_matrix.py's record markers)."""

import datetime as dt
from decimal import Decimal

import pytest

from mattran.emulation import services
from mattran.emulation.models import AwardType, ConferenceKind, PledgeStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CITY_CONFERENCE = "Hội nghị thi đua thành phố"


@pytest.fixture
def city_pledge(tree):
    """A locked 2023 pledge of the city's two districts, signed at a city conference
    where Quận A's own decision was also handed out; the city proposed both winners."""
    city, a, b = tree["city"], tree["district_a"], tree["district_b"]
    pledge = services.pledge_create(
        actor=None, unit=city, year=2023, title="Giao ước thi đua các quận", members=[a, b]
    )
    criterion = services.criterion_create(
        actor=None,
        pledge=pledge,
        data=services.CriterionInput(
            code="CT1",
            short_name="Kế hoạch giám sát",
            text="Xây dựng kế hoạch giám sát",
            kind="requirement",
            points=Decimal(100),
        ),
    )
    services.pledge_activate(actor=None, pledge=pledge, signed_on=dt.date(2023, 1, 10))
    for unit in (a, b):
        sheet = services.score_sheet_ensure(actor=None, pledge=pledge, unit=unit)
        services.sheet_self_score(
            actor=None, sheet=sheet, entries=[services.SelfScore(criterion.pk, Decimal(0))]
        )
        services.sheet_submit(actor=None, sheet=sheet)
        services.sheet_verify(
            actor=None, sheet=sheet, entries=[services.Verification(criterion.pk, Decimal(0))]
        )
    services.pledge_lock(actor=None, pledge=pledge)
    award = AwardType.objects.get(code="giay-khen")
    proposals = services.proposals_from_ranking(actor=None, pledge=pledge, award_type=award, top=2)
    assert len(proposals) == 2
    decision = services.decision_create(
        actor=None,
        unit=a,
        award_type=award,
        issuer="Ủy ban MTTQ Việt Nam quận A",
        number="3/QĐ-MTTQ",
        signed_on=dt.date(2023, 1, 5),
        achievement_year=2022,
        summary="Tặng giấy khen các phường",
    )
    conference = services.conference_create(
        actor=None,
        unit=city,
        data=services.ConferenceInput(
            kind=ConferenceKind.LAUNCH, title=CITY_CONFERENCE, held_on=dt.date(2023, 1, 10)
        ),
    )
    services.conference_links_set(
        actor=None, conference=conference, pledges=[pledge], decisions=[decision]
    )
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.LOCKED
    return {"pledge": pledge, "decision": decision, "conference": conference}


def _pages(city_pledge):
    pledge = city_pledge["pledge"]
    return {
        "pledge": f"/thi-dua/giao-uoc/{pledge.pk}/",
        "ranking": f"/thi-dua/giao-uoc/{pledge.pk}/xep-hang/",
        "decision": f"/thi-dua/khen-thuong/quyet-dinh/{city_pledge['decision'].pk}/",
    }


def test_member_users_do_not_see_the_organisers_conferences_or_proposals(
    client, people, city_pledge
):
    client.force_login(people["district_admin"])  # everything of Quận A, nothing above
    assert client.get(f"/thi-dua/hoi-nghi/{city_pledge['conference'].pk}/").status_code == 404
    assert client.get("/thi-dua/khen-thuong/de-nghi/").content.decode().count("hạng 1") == 0
    shown = []
    for name, url in _pages(city_pledge).items():
        response = client.get(url)
        assert response.status_code == 200, name
        body = response.content.decode()
        shown += [f"{name}: conference"] if CITY_CONFERENCE in body else []
        shown += [f"{name}: proposals"] if 'data-testid="proposals"' in body else []
    assert not shown
    ranking = client.get(_pages(city_pledge)["ranking"]).content.decode()
    assert "Quận A" in ranking and "Quận B" in ranking  # the peer ranking itself


def test_the_organisers_users_see_them(client, city_pledge):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    pages = _pages(city_pledge)
    for name in ("pledge", "decision"):
        assert CITY_CONFERENCE in client.get(pages[name]).content.decode(), name
    ranking = client.get(pages["ranking"]).content.decode()
    assert 'data-testid="proposals"' in ranking and "hạng 1" in ranking
