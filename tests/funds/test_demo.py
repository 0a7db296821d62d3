"""The demo ledger gives the seed's figures exactly, and loading it twice changes nothing."""

from io import StringIO

import pytest

from mattran.core.periods import Period
from mattran.demo.loader import load_demo
from mattran.funds.models import LedgerEntry, StatementImport
from mattran.funds.selectors import fund_figures
from mattran.portal.selectors import DonationQuery, donation_search
from mattran.units.models import Unit


@pytest.fixture(scope="module")
def demo_db(demo_module):
    """load_demo's data, built once per run (tests/conftest.py)."""


@pytest.mark.django_db
def test_dong_da_nine_months_figures(demo_db, django_assert_max_num_queries):
    dong_da = Unit.objects.get(version__code="2023", name="Quận Đống Đa")
    with django_assert_max_num_queries(2):
        f = fund_figures(unit=dong_da, period=Period.nine_months(2023))
    assert f["mobilised"]["sea_islands"] == 2_366_435_000
    poor = f["disbursed"]["poor"]
    assert poor["total"] == 1_413_860_796
    assert poor["by_purpose"]["gifts"]["quantity"] == 359
    assert poor["by_purpose"]["house_repair"]["quantity"] == 2
    assert set(poor["by_purpose"]) == {"gifts", "house_repair"}
    assert f["transfers_out_total"] == 200_000_000
    (out,) = f["transfers_out"]
    assert out["to_unit"] == "Thành phố Hà Nội" and out["status"] == "confirmed"
    assert "Điện Biên" in out["purpose_text"]
    assert out["purpose"] == "xây dựng nhà Đại đoàn kết cho các hộ nghèo Tỉnh Điện Biên"


@pytest.mark.django_db
def test_demo_is_idempotent_and_yagi_is_searchable(demo_db):
    entries = LedgerEntry.objects.count()
    load_demo(out=StringIO())
    assert LedgerEntry.objects.count() == entries
    imp = StatementImport.objects.get()
    assert imp.reconciliation_counts()["reconciled"] == 8
    rows = donation_search(query=DonationQuery(name="nguyen van thieu"))
    assert rows and rows[0]["donor"] == "NGUYEN VAN THIEU" and rows[0]["amount"] == 500_000


@pytest.mark.django_db
def test_demo_yagi_fund_equals_the_bank_every_day(demo_db):
    from mattran.funds.models import AccountKind, Fund
    from mattran.funds.selectors import account_reconciliation

    yagi = Fund.objects.get(name__contains="Yagi")
    rec = account_reconciliation(account=yagi.accounts.get(kind=AccountKind.BANK))
    assert rec.opening and rec.first_difference is None and rec.checked_days == 9
    assert [d.fund_closing for d in rec.days if d.bank_closing is not None] == [
        d.bank_closing for d in rec.days if d.bank_closing is not None
    ]
