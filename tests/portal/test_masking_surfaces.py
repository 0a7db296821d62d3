"""Every public surface shows free text through the one mask_personal.

Lookup page and API (donor and memo), disclosure (transfer text), CSV (party
and memo); a phone or account number, in any format, finds nothing.
"""

import datetime as dt

import pytest
from django.core.cache import cache

from mattran.access.models import Role
from mattran.funds import services
from mattran.funds.models import FundKind
from mattran.portal.selectors import DonationQuery, donation_search
from tests.factories import UserFactory, grant

PHONES = ["0912.345678", "0987 654321", "0912,345,678", "(091) 2345678", "+84 912 345 678"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def public_ledger(tree, editor):
    fund = services.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ cứu trợ",
        kind=FundKind.RELIEF,
        opened_on=dt.date(2024, 1, 1),
    )
    for i, phone in enumerate(PHONES):
        services.receipt_create(
            actor=editor,
            fund=fund,
            amount=100_000 + i,
            booked_on=dt.date(2024, 9, 3),
            party_name=f"Cửa hàng Minh {phone}",
            memo=f"ung ho 50.000 ngay 12/09/2024 lien he {phone}\nSTK 0071 0001\n23456",
        )
    sender = UserFactory()
    grant(sender, tree["city"], Role.EDITOR)
    other = services.fund_create(
        actor=sender,
        unit=tree["district_b"],
        name="Quỹ nhận",
        kind=FundKind.RELIEF,
        opened_on=dt.date(2024, 1, 1),
    )
    services.transfer_send(
        actor=sender,
        from_fund=fund,
        to_fund=other,
        amount=50_000,
        sent_on=dt.date(2024, 9, 4),
        purpose_text="Hỗ trợ gia đình anh Tâm, sđt 0912,345,678, STK 1903-6789-1234-5",
    )
    return fund


def _leaks(text: str) -> list[str]:
    raw = [*PHONES, "0912,345,678", "0071 0001", "1903-6789-1234-5", "6789"]
    return [r for r in raw if r in text]


def test_lookup_page_api_disclosure_and_csv_are_masked(client, public_ledger):
    rows = donation_search(query=DonationQuery(name="cua hang minh"))
    assert len(rows) == len(PHONES)
    for row in rows:
        assert not _leaks(row["donor"] + row["memo"]), row
        assert "50.000" in row["memo"] and "12/09/2024" in row["memo"]
    page = client.get("/cong-khai/?q=cua+hang+minh").content.decode()
    assert "Cửa hàng Minh" in page and not _leaks(page)
    api = client.get("/api/v1/public/donations/", {"q": "cua hang minh"}).json()
    assert api["count"] == len(PHONES)
    assert not _leaks(str(api["results"]))
    disclosure = client.get(f"/cong-khai/quy/{public_ledger.pk}/?ky=2024").content.decode()
    assert "Hỗ trợ gia đình anh Tâm, sđt ****,***,678" in disclosure and not _leaks(disclosure)
    response = client.get(f"/cong-khai/quy/{public_ledger.pk}/so-quy.csv?ky=2024")
    csv_text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Cửa hàng Minh" in csv_text and not _leaks(csv_text)


def test_a_phone_or_account_number_finds_nothing(client, public_ledger):
    assert len(donation_search(query=DonationQuery(name="lien he"))) == len(PHONES)
    queries = [*PHONES, "0912345678", "912345678", "0071000123456", "0071 0001 23456", "345678"]
    for query in queries:
        assert donation_search(query=DonationQuery(name=query)) == [], query
        api = client.get("/api/v1/public/donations/", {"q": query}).json()
        assert api.get("count", 0) == 0, query
