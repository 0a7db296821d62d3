"""A ward's half-year entered through the product's pages and API, and every figure of it
in the generated Vietnamese text, at the ward and at the district above (issue 10)."""

import datetime as dt

import pytest
from django.urls import reverse

from mattran.access.models import Role
from mattran.core.periods import Period
from mattran.emulation.models import AwardType, CommendationProposal, ConferenceKind
from mattran.funds import services as funds
from mattran.funds.models import AccountKind, FundKind, Purpose
from mattran.reports.selectors import report_build
from tests.api.conftest import token_client
from tests.factories import UserFactory, grant

API = "/api/v1"
CONGRESS = "Đại hội đại biểu MTTQ Việt Nam phường A1 lần thứ XVII, nhiệm kỳ 2024–2029"


@pytest.fixture
def office(tree):
    if not AwardType.objects.exists():  # a transactional test may have flushed reference data
        from django.apps import apps

        from mattran.emulation.reference import install

        install(apps)
    editor = UserFactory(username="bien_tap_a1")
    grant(editor, tree["ward_a1"], Role.EDITOR)
    approver = UserFactory(username="phe_duyet_a")
    grant(approver, tree["district_a"], Role.APPROVER)
    funds_ = {}
    for key, unit in (("ward", tree["ward_a1"]), ("district", tree["district_a"])):
        fund = funds.fund_create(
            actor=None,
            unit=unit,
            name=f"Quỹ Vì người nghèo {unit.name}",
            kind=FundKind.POOR,
            opened_on=dt.date(2023, 1, 1),
        )
        funds.fund_account_create(
            actor=None, fund=fund, kind=AccountKind.CASH, account_name="Tiền mặt"
        )
        funds_[key] = fund
    return {"editor": editor, "approver": approver, **funds_}


def _post(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def _enter_half_year(client, tree, office):
    ward, fund = tree["ward_a1"], office["ward"]
    api = token_client(office["editor"])
    # API: money received and two propaganda sessions
    for amount, day in ((300_000_000, "2023-02-10"), (150_000_000, "2023-05-05")):
        r = api.post(
            f"{API}/funds/{fund.pk}/receipts/",
            {"amount": amount, "booked_on": day, "party_name": "Nhân dân tổ dân phố 1"},
            format="json",
        )
        assert r.status_code == 201, r.content
    for attendance, day in ((120, "2023-03-01"), (80, "2023-06-20")):
        r = api.post(
            f"{API}/units/{ward.pk}/activities/",
            {
                "type": "tuyen_truyen",
                "date": day,
                "title": "Tuyên truyền",
                "attendance": attendance,
            },
            format="json",
        )
        assert r.status_code == 201, r.content
    # Pages: payments by purpose, and money sent up to the district
    client.force_login(office["editor"])
    account = fund.accounts.get().pk
    for purpose, quantity, amount in (
        (Purpose.GIFTS, 100, "50.000.000"),
        (Purpose.MEDICAL, 12, "36.000.000"),
        (Purpose.ZERO_MARKET, 200, "40.000.000"),
    ):
        _post(
            client,
            reverse("funds:disbursement", args=[fund.pk]),
            {
                "booked_on": "2023-04-15",
                "amount": amount,
                "purpose": purpose,
                "quantity": quantity,
                "payee_name": "Các hộ theo danh sách",
                "account": account,
            },
        )
    _post(
        client,
        reverse("funds:transfer", args=[fund.pk]),
        {
            "to_fund": office["district"].pk,
            "amount": "20.000.000",
            "sent_on": "2023-06-01",
            "purpose_text": "Ủng hộ Quỹ Vì người nghèo quận",
        },
    )
    # Pages: the congress, and a decision commending a collective and a person
    _post(
        client,
        reverse("emulation:conference_create", args=[ward.pk]),
        {"kind": ConferenceKind.CONGRESS, "title": CONGRESS, "held_on": "2023-04-10"},
    )
    award = AwardType.objects.get(code="giay-khen")
    for data in (
        {"recipient_unit": tree["area_a1"].pk},
        {"person_name": "Nguyễn Thị Hoa", "person_title": "Trưởng ban công tác Mặt trận"},
    ):
        _post(
            client,
            reverse("emulation:proposal_create", args=[ward.pk]),
            {"award_type": award.pk, "year": 2022, "achievement": "Thành tích xuất sắc", **data},
        )
    r = _post(
        client,
        reverse("emulation:decision_create", args=[ward.pk]),
        {
            "award_type": award.pk,
            "issuer": "Ủy ban MTTQ Việt Nam phường A1",
            "number": "05/QĐ-MTTQ",
            "signed_on": "2023-05-20",
            "achievement_year": 2022,
            "summary": "Khen thưởng thành tích năm 2022",
        },
    )
    _post(
        client,
        r["Location"],
        {"proposals": list(CommendationProposal.objects.values_list("pk", flat=True))},
    )


def test_every_figure_of_the_ward_half_year_is_said_at_the_ward_and_the_district(
    client, tree, office
):
    _enter_half_year(client, tree, office)
    period = Period.parse("2023-H1")

    ward = report_build(user=office["editor"], unit=tree["ward_a1"], period=period).narrative
    assert "Phối hợp tổ chức 2 cuộc tuyên truyền với 200 lượt người tham dự." in ward
    assert (
        "Trong 6 tháng, vận động Quỹ “Vì người nghèo” được 450.000.000 đồng; đã trích "
        "126.000.000 đồng hỗ trợ 100 suất quà (50.000.000 đồng), hỗ trợ khám chữa bệnh cho 12 "
        "hộ (36.000.000 đồng), tổ chức phiên chợ 0 đồng với 200 suất quà (40.000.000 đồng); "
        "ủng hộ Quận 20.000.000 đồng."
    ) in ward
    assert f"Tổ chức thành công 1 Đại hội đại biểu Mặt trận Tổ quốc Việt Nam: {CONGRESS}." in ward
    assert (
        "Khen thưởng 1 tập thể, 1 cá nhân có thành tích xuất sắc trong công tác Mặt trận."
    ) in ward
    # a figure without data is left out, not said as 0 (the "chợ 0 đồng" is a name)
    assert " 0 " not in ward.replace("chợ 0 đồng", "") and "—" not in ward
    assert "đ." not in ward.replace("đồng.", "")  # one currency style: "đồng"

    district = report_build(
        user=office["approver"], unit=tree["district_a"], period=period
    ).narrative
    assert "Phối hợp tổ chức 2 cuộc tuyên truyền với 200 lượt người tham dự." in district
    # the district's sentence; the ward's 20 M stayed inside the district (not "sent up")
    assert (
        "Trong 6 tháng, đã trích 126.000.000 đồng từ quỹ “Vì người nghèo” các cấp quận hỗ trợ "
        "100 suất quà, hỗ trợ khám chữa bệnh cho 12 hộ (36.000.000 đồng), tổ chức phiên chợ 0 "
        "đồng với 200 suất quà (40.000.000 đồng)."
    ) in district
    assert "ủng hộ Thành phố" not in district
    assert f"Tổ chức thành công 1 Đại hội đại biểu Mặt trận Tổ quốc Việt Nam: {CONGRESS}." in (
        district
    )
    assert "Khen thưởng 1 tập thể, 1 cá nhân" in district
