"""A real ward's published half-year, entered through the product's pages and API, and every
figure of it in the generated Vietnamese text at the ward and at the district (issue 10,
Show 2).

Source: "An Hải Đông: Hội nghị sơ kết công tác Mặt trận 06 tháng đầu năm 2022", Ủy ban
MTTQ Việt Nam phường An Hải Đông, quận Sơn Trà, thành phố Đà Nẵng, 08/7/2022,
https://anhaidong.danang.gov.vn/chi-tiet-tin-tuc?dinhdanh=2851801&cat=302 . It says:

- "Quỹ vì người nghèo của phường đến nay đã vận động được 164.860.000đ"  -> RAISED;
- "hỗ trợ khó khăn đột xuất cho 02 hộ"                                   -> RELIEF_HOUSEHOLDS;
- "hỗ trợ 196 suất quà trị giá gần 68 triệu đồng cho 196 hộ nghèo"       -> GIFTS;
- propaganda on six subjects (Luật hòa giải, PCCC, an toàn giao thông, tác hại thuốc lá,
  HIV/AIDS, phòng chống dịch Covid-19)                                    -> SUBJECTS.

What the published text does not give, and is chosen here (said so next to each value):
how the 164.860.000 đồng came in (three receipts adding up to it), the exact value of the
196 gifts ("gần 68 triệu": 196 × 345.000 = 67.620.000 đồng), the amount of the emergency
support, the attendance of each session; and the congress and commendations, which the
published excerpt does not mention: they are entered so that every family of the issue's
Show 2 is covered, with the wording a ward uses.
"""

import datetime as dt

import pytest
from django.urls import reverse

from mattran.access.models import Role
from mattran.core.periods import Period
from mattran.core.vietnamese import format_number
from mattran.emulation.models import AwardType, CommendationProposal, ConferenceKind
from mattran.funds import services as funds
from mattran.funds.models import AccountKind, FundKind, Purpose
from mattran.reports.selectors import report_build
from tests.api.conftest import token_client
from tests.factories import UserFactory, grant, make_unit

API = "/api/v1"
H1 = Period.parse("2022-H1")
RAISED = 164_860_000  # from the review
RECEIPTS = [  # chosen: the review gives only the total
    (100_000_000, "2022-01-20", "Cán bộ, công chức, viên chức phường"),
    (50_000_000, "2022-03-15", "Doanh nghiệp trên địa bàn phường"),
    (14_860_000, "2022-05-20", "Nhân dân các tổ dân phố"),
]
GIFTS = 196  # from the review
GIFTS_AMOUNT = 196 * 345_000  # chosen: "gần 68 triệu đồng"
RELIEF_HOUSEHOLDS = 2  # from the review
RELIEF_AMOUNT = 4_000_000  # chosen: not published
SUBJECTS = [  # from the review; the attendance of each is chosen
    ("Tuyên truyền Luật Hòa giải ở cơ sở", 60),
    ("Tuyên truyền công tác phòng cháy, chữa cháy", 45),
    ("Tuyên truyền an toàn giao thông", 80),
    ("Tuyên truyền phòng, chống tác hại của thuốc lá", 50),
    ("Tuyên truyền phòng, chống HIV/AIDS", 70),
    ("Tuyên truyền phòng, chống dịch Covid-19", 120),
]
CONGRESS = "Đại hội đại biểu MTTQ Việt Nam phường An Hải Đông (nhập thử)"  # not published


@pytest.fixture
def da_nang(db):
    if not AwardType.objects.exists():  # a transactional test may have flushed reference data
        from django.apps import apps

        from mattran.emulation.reference import install

        install(apps)
    city = make_unit("Thành phố Đà Nẵng", code="48")
    district = make_unit("Quận Sơn Trà", city, code="492")
    ward = make_unit("Phường An Hải Đông", district, code="20275")
    area = make_unit("Tổ dân phố 1", ward)
    editor = UserFactory(username="mttq_an_hai_dong")
    grant(editor, ward, Role.EDITOR)
    approver = UserFactory(username="mttq_son_tra")
    grant(approver, district, Role.APPROVER)
    fund = funds.fund_create(
        actor=None,
        unit=ward,
        name="Quỹ “Vì người nghèo” phường An Hải Đông",
        kind=FundKind.POOR,
        opened_on=dt.date(2022, 1, 1),
    )
    funds.fund_account_create(actor=None, fund=fund, kind=AccountKind.CASH, account_name="Tiền mặt")
    return {
        "city": city,
        "district": district,
        "ward": ward,
        "area": area,
        "editor": editor,
        "approver": approver,
        "fund": fund,
    }


def _post(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def _enter_the_half_year(client, w):
    ward, fund = w["ward"], w["fund"]
    api = token_client(w["editor"])
    for amount, day, donor in RECEIPTS:  # API: money received
        r = api.post(
            f"{API}/funds/{fund.pk}/receipts/",
            {"amount": amount, "booked_on": day, "party_name": donor},
            format="json",
        )
        assert r.status_code == 201, r.content
    for i, (title, attendance) in enumerate(SUBJECTS):  # API: the propaganda sessions
        r = api.post(
            f"{API}/units/{ward.pk}/activities/",
            {
                "type": "tuyen_truyen",
                "date": f"2022-0{1 + i % 6}-1{i}",
                "title": title,
                "attendance": attendance,
            },
            format="json",
        )
        assert r.status_code == 201, r.content
    client.force_login(w["editor"])  # pages: payments by purpose, amounts typed as offices do
    account = fund.accounts.get().pk
    for purpose, quantity, amount, day in (
        (Purpose.GIFTS, GIFTS, "67.620.000", "2022-01-25"),
        (Purpose.RELIEF, RELIEF_HOUSEHOLDS, "4 000 000", "2022-04-12"),
    ):
        _post(
            client,
            reverse("funds:disbursement", args=[fund.pk]),
            {
                "booked_on": day,
                "amount": amount,
                "purpose": purpose,
                "quantity": quantity,
                "payee_name": "Các hộ theo danh sách",
                "account": account,
            },
        )
    _post(  # pages: the congress
        client,
        reverse("emulation:conference_create", args=[ward.pk]),
        {"kind": ConferenceKind.CONGRESS, "title": CONGRESS, "held_on": "2022-06-10"},
    )
    award = AwardType.objects.get(code="giay-khen")
    for data in (  # pages: proposals, then the decision granting them
        {"recipient_unit": w["area"].pk},
        {"person_name": "Nguyễn Thị Hoa", "person_title": "Trưởng ban công tác Mặt trận"},
        {"person_name": "Trần Văn Nam", "person_title": "Ủy viên Ủy ban MTTQ phường"},
    ):
        _post(
            client,
            reverse("emulation:proposal_create", args=[ward.pk]),
            {"award_type": award.pk, "year": 2021, "achievement": "Thành tích xuất sắc", **data},
        )
    r = _post(
        client,
        reverse("emulation:decision_create", args=[ward.pk]),
        {
            "award_type": award.pk,
            "issuer": "Ủy ban MTTQ Việt Nam phường An Hải Đông",
            "number": "12/QĐ-MTTQ",
            "signed_on": "2022-06-20",
            "achievement_year": 2021,
            "summary": "Khen thưởng thành tích năm 2021",
        },
    )
    _post(
        client,
        r["Location"],
        {"proposals": list(CommendationProposal.objects.values_list("pk", flat=True))},
    )


def test_every_published_figure_is_said_at_the_ward_and_at_the_district(client, da_nang):
    w = da_nang
    assert sum(a for a, _, _ in RECEIPTS) == RAISED
    _enter_the_half_year(client, w)
    attendance = sum(n for _, n in SUBJECTS)
    spent = GIFTS_AMOUNT + RELIEF_AMOUNT

    # The ward, through the API (the product's figures endpoint, the report builder).
    data = token_client(w["editor"]).get(f"{API}/units/{w['ward'].pk}/figures/?period=2022-H1")
    assert data.status_code == 200, data.content
    ward = " ".join(s["text"] for s in data.json()["narrative"])
    assert f"Phối hợp tổ chức 6 cuộc tuyên truyền với {attendance} lượt người tham dự." in ward
    assert (
        "Trong 6 tháng, vận động Quỹ “Vì người nghèo” được 164.860.000 đồng; đã trích "
        f"{format_number(spent)} đồng hỗ trợ 196 suất quà (67.620.000 đồng), hỗ trợ khó khăn "
        "đột xuất cho 02 hộ (4.000.000 đồng)."
    ) in ward
    assert f"Tổ chức thành công 1 Đại hội đại biểu Mặt trận Tổ quốc Việt Nam: {CONGRESS}." in ward
    assert (
        "Khen thưởng 1 tập thể, 2 cá nhân có thành tích xuất sắc trong công tác Mặt trận." in ward
    )
    # nothing without data is said (no "0 …", no dash), one currency style
    assert " 0 " not in ward and "—" not in ward and "đ." not in ward.replace("đồng.", "")
    # the ward's table rows carry the same figures
    figures = {f["code"]: f["total"]["value"] for f in data.json()["figures"]}
    assert figures["quy_vi_nguoi_ngheo_van_dong"] == RAISED
    assert (figures["quy_vi_nguoi_ngheo_suat_qua"], figures["quy_vi_nguoi_ngheo_qua_tien"]) == (
        GIFTS,
        GIFTS_AMOUNT,
    )
    assert (figures["cuu_tro_ho"], figures["cuu_tro_tien"]) == (RELIEF_HOUSEHOLDS, RELIEF_AMOUNT)

    # The district above, on its report page, as its approver reads it.
    client.force_login(w["approver"])
    page = client.get(reverse("reports:report", args=[w["district"].pk, H1.code]))
    district = page.content.decode()
    assert f"Phối hợp tổ chức 6 cuộc tuyên truyền với {attendance} lượt người tham dự." in district
    assert (
        f"Trong 6 tháng, đã trích {format_number(spent)} đồng từ quỹ “Vì người nghèo” các cấp "
        "quận hỗ trợ 196 suất quà, hỗ trợ khó khăn đột xuất cho 02 hộ (4.000.000 đồng)."
    ) in district
    assert f"Tổ chức thành công 1 Đại hội đại biểu Mặt trận Tổ quốc Việt Nam: {CONGRESS}." in (
        district
    )
    assert "Khen thưởng 1 tập thể, 2 cá nhân" in district
    # the district's wording (seed 003's) does not say the money raised: its figure does
    report = report_build(user=w["approver"], unit=w["district"], period=H1)
    raised = report.figures["quy_vi_nguoi_ngheo_van_dong"]
    assert raised.totals[0] == RAISED and raised.children[0] == RAISED
    assert "ủng hộ Thành phố" not in report.narrative  # nothing was sent up
