"""Public pages: donation lookup, masking, disclosure, CSV, rate limit."""

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache

from mattran.funds import services
from mattran.funds.models import FundKind, Purpose
from mattran.portal.selectors import DonationQuery, donation_search
from mattran.portal.views import csv_safe


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def ledger(tree, editor):
    fund = services.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ cứu trợ",
        kind=FundKind.RELIEF,
        opened_on=dt.date(2024, 1, 1),
    )
    add = lambda amount, name, memo, day=dt.date(2024, 9, 3): services.receipt_create(  # noqa: E731
        actor=editor, fund=fund, amount=amount, booked_on=day, party_name=name, memo=memo
    )
    add(500_000, "Nguyễn Thị Hoà", "ung ho bao Yagi, sdt 0912 345 678")
    add(200_000, "", "TRAN VAN KHOA chuyen tien tu TK 0011001932418")
    add(300_000, '=HYPERLINK("x")', "-2+3 @cmd")
    add(1_000_000, "Lê Văn Nguyên", "ủng hộ", dt.date(2024, 9, 5))
    services.disbursement_create(
        actor=editor,
        fund=fund,
        amount=400_000,
        booked_on=dt.date(2024, 9, 6),
        purpose=Purpose.RELIEF,
        quantity=4,
    )
    return fund


@pytest.fixture(params=["intersect", "walk"])
def strategy(request, monkeypatch):
    """PostgreSQL reads a query of several words in one of two ways (portal.selectors
    _pg_page_ids): rare words' posting lists intersected, or the rarest word walked newest
    day first. Small test data makes every word rare: "walk" forces the other way."""
    if request.param == "walk":
        monkeypatch.setattr("mattran.portal.selectors.SMALL", -1)
    return request.param


def _names(rows):
    return [r["donor"] if r["named"] else r["memo"] for r in rows]


def test_lookup_without_diacritics_and_either_tone_mark(strategy, ledger):
    assert _names(donation_search(query=DonationQuery(name="nguyen thi hoa"))) == ["Nguyễn Thị Hoà"]
    assert _names(donation_search(query=DonationQuery(name="Hòa"))) == ["Nguyễn Thị Hoà"]
    found = _names(donation_search(query=DonationQuery(name="nguyen")))
    assert found == ["Lê Văn Nguyên", "Nguyễn Thị Hoà"]  # newest first
    # word starts only: "hoa" does not find "KHOA"
    assert "KHOA" not in " ".join(_names(donation_search(query=DonationQuery(name="hoa"))))
    assert len(donation_search(query=DonationQuery(name="tran van khoa"))) == 1
    assert donation_search(query=DonationQuery(name="ng")) == []


def test_lookup_by_amount_date_and_reference_never_shows_numbers(strategy, ledger):
    (row,) = donation_search(query=DonationQuery(amount=500_000))
    assert row["memo"] == "ung ho bao Yagi, sdt **** *** 678"
    (row,) = donation_search(query=DonationQuery(name="khoa"))
    assert "0011001932418" not in row["memo"] and row["memo"].endswith("**********418")
    # a phone or account number cannot be searched for: the key holds the masked text
    assert donation_search(query=DonationQuery(name="0912345678")) == []
    rows = donation_search(
        query=DonationQuery(
            amount=1_000_000, date_from=dt.date(2024, 9, 4), date_to=dt.date(2024, 9, 30)
        )
    )
    assert len(rows) == 1


def test_lookup_by_several_words_with_dates_amount_and_reference(strategy, ledger):
    # Words beyond the driving one, dates, amount and reference together: each value is
    # bound to its own condition (the API fuzzer once found them bound out of order).
    def names(**kw):
        return _names(donation_search(query=DonationQuery(**kw)))

    sept = {"date_from": dt.date(2024, 9, 1), "date_to": dt.date(2024, 9, 4)}
    assert names(name="nguyen thi hoa", **sept) == ["Nguyễn Thị Hoà"]
    assert names(name="nguyen thi hoa", amount=500_000, **sept) == ["Nguyễn Thị Hoà"]
    assert names(name="le van nguyen", **sept) == []
    assert names(name="nguyen hoa", date_from=dt.date(2000, 5, 1), date_to=dt.date(3, 1, 2)) == []
    assert names(name="nguyen thi hoa", reference="khong-co", **sept) == []


def test_lookup_page_and_htmx_partial(client, ledger, django_assert_max_num_queries):
    # the page: its rows and the fund list; on PostgreSQL also "SET LOCAL jit = off" and
    # one count of the three words (the rarest drives the lookup)
    with django_assert_max_num_queries(4):
        page = client.get("/cong-khai/?q=nguyen+thi+hoa").content.decode()
    assert "Nguyễn Thị Hoà" in page and "500.000 đ" in page and "678" in page
    assert "0912 345 678" not in page
    partial = client.get("/cong-khai/?q=Hòa", HTTP_HX_REQUEST="true").content.decode()
    assert "Nguyễn Thị Hoà" in partial and "<html" not in partial


def test_disclosure_page_figures(client, ledger, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(f"/cong-khai/quy/{ledger.pk}/?ky=2024")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="money-in">2.000.000 đ' in page
    assert 'data-testid="money-out">400.000 đ' in page
    assert 'data-testid="closing">1.600.000 đ' in page
    assert "chart.umd.js" in page and "Cứu trợ" in page


def test_public_csv_is_formula_safe_and_masked(client, ledger):
    response = client.get(f"/cong-khai/quy/{ledger.pk}/so-quy.csv?ky=2024")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Ngày" and len(rows) == 6
    evil = next(r for r in rows if "HYPERLINK" in r[3])
    assert evil[3].startswith("'=") and evil[4].startswith("'-")
    assert "0912 345 678" not in text and "0011001932418" not in text
    for value in ("=1", "+1", "-1", "@x", "\tx"):
        assert csv_safe(value).startswith("'")
    assert csv_safe("Nguyễn") == "Nguyễn"


def test_private_fund_is_not_public(client, ledger):
    ledger.is_public = False
    ledger.save()
    assert donation_search(query=DonationQuery(amount=500_000)) == []
    assert client.get(f"/cong-khai/quy/{ledger.pk}/").status_code == 404


def test_rate_limited_with_429(client, ledger, settings):
    settings.MATTRAN_PUBLIC_RATE = "3/m"
    codes = [client.get("/cong-khai/?q=nguyen").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert "Quá nhiều yêu cầu" in client.get("/cong-khai/").content.decode()


def test_lookup_words_in_any_order_folded_nfd_and_annotated_names(strategy, ledger, editor):
    import unicodedata

    from mattran.funds.models import LedgerEntry
    from mattran.portal.selectors import donation_page

    def memos(**kw):
        return [r["memo"] for r in donation_search(query=DonationQuery(**kw))]

    assert _names(donation_search(query=DonationQuery(name="hoa nguyen"))) == ["Nguyễn Thị Hoà"]
    nfd = unicodedata.normalize("NFD", "NGUYỄN thị HÒA")
    assert _names(donation_search(query=DonationQuery(name=nfd))) == ["Nguyễn Thị Hoà"]
    # a memo word alone finds the unnamed transfer; "." and other text folding to nothing: none
    assert memos(name="chuyển") == ["TRAN VAN KHOA chuyen tien tu TK **********418"]
    for nothing in (".", "…", " - ", "!!"):
        assert donation_search(query=DonationQuery(name=nothing)) == []
        assert donation_search(query=DonationQuery(name=nothing, amount=500_000)) == []
    # short words only next to a longer word or an amount, and then as whole words
    assert donation_search(query=DonationQuery(name="le")) == []
    assert _names(donation_search(query=DonationQuery(name="le nguyen"))) == ["Lê Văn Nguyên"]
    assert _names(donation_search(query=DonationQuery(name="ho", amount=500_000))) == [
        "Nguyễn Thị Hoà"
    ]
    # naming the donor later (an annotation) makes the name findable; đ = d
    unnamed = LedgerEntry.objects.get(amount=200_000)
    services.entry_identify_donor(actor=editor, entry=unnamed, donor_name="Đặng Văn Khoa")
    (row,) = donation_search(query=DonationQuery(name="dang van"))
    assert row["donor"] == "Đặng Văn Khoa" and row["named"]
    assert donation_page(query=DonationQuery(name="dang")).rows[0]["amount"] == 200_000


def test_several_words_as_typed_first_else_anywhere(strategy, ledger, editor):
    """A full name: the receipts having the words adjacent and in the order typed (a phrase;
    the last word a word start), when there are any; else those having all of them anywhere."""

    def add(amount, name, memo, day):
        services.receipt_create(
            actor=editor, fund=ledger, amount=amount, booked_on=day, party_name=name, memo=memo
        )

    add(70_000, "Phạm Thị Hà Hương", "ủng hộ", dt.date(2024, 9, 10))
    add(80_000, "Phạm Thị Hương", "gửi Hà Giang", dt.date(2024, 9, 11))  # words, not the phrase

    def names(text, **kw):
        return _names(donation_search(query=DonationQuery(name=text, **kw)))

    phrase, both = ["Phạm Thị Hà Hương"], ["Phạm Thị Hương", "Phạm Thị Hà Hương"]
    assert names("pham thi ha huong") == phrase
    assert names("PHẠM THỊ HÀ HƯƠ") == phrase  # the last word: a word start
    assert names("thi ha") == phrase
    # not a phrase of any receipt: the words anywhere, newest first
    assert names("huong pham") == both
    assert names("pha thi ha huong") == both  # words before the last are whole words
    assert names("pham thi ha huong", amount=80_000) == ["Phạm Thị Hương"]
    assert names("pham thi ha huongx") == []
    # a number is never part of a phrase: the masked phone finds nothing either way
    assert names("sdt 0912 345 678") == []
    assert names("Nguyễn Thị Hoà") == ["Nguyễn Thị Hoà"]


def test_lookup_pages_newest_first(strategy, ledger, editor, monkeypatch):
    from mattran.portal import selectors as portal

    monkeypatch.setattr(portal, "PER_PAGE", 1)
    query = DonationQuery(name="ung")  # "ung ho" / "ủng hộ": two receipts
    first = portal.donation_page(query=query, page=1)
    second = portal.donation_page(query=query, page=2)
    assert first.has_next and not second.has_next and second.has_previous
    days = [r["booked_on"] for r in first.rows + second.rows]
    assert len(days) == 2 and days == sorted(days, reverse=True)


def test_disclosure_opens_on_the_fund_year_and_never_serves_a_signed_in_page_from_cache(
    client, ledger, editor
):
    client.force_login(editor)
    signed_in = client.get(f"/cong-khai/quy/{ledger.pk}/").content.decode()
    assert 'data-testid="current-user"' in signed_in
    assert "năm 2024" in signed_in and 'data-testid="money-in">2.000.000 đ' in signed_in
    client.logout()
    for _ in range(2):  # the second answer comes from the cache
        public = client.get(f"/cong-khai/quy/{ledger.pk}/").content.decode()
        assert 'data-testid="current-user"' not in public and "Đăng xuất" not in public
        assert 'data-testid="money-in">2.000.000 đ' in public
    typed = client.get(f"/cong-khai/quy/{ledger.pk}/", {"ky": "tháng 9/2024"}).content.decode()
    assert "tháng 9 năm 2024" in typed and 'data-testid="money-in">2.000.000 đ' in typed
