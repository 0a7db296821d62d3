"""Emulation figures backed by the funds ledger, through the figures layer."""

import datetime as dt

import pytest

from mattran.core.periods import Period
from mattran.emulation import measures
from mattran.funds import services as funds
from mattran.funds.models import FundKind, Purpose

pytestmark = pytest.mark.django_db
D = dt.date


def _fund(unit, kind, name=None):
    return funds.fund_create(
        actor=None, unit=unit, name=name or f"Quỹ {kind}", kind=kind, opened_on=D(2023, 1, 1)
    )


def test_measure_keys_match_the_funds_vocabulary():
    assert {"poor", "sea_islands"} <= set(FundKind.values)
    assert {"house_build", "house_repair", "gifts"} <= set(Purpose.values)


def test_fund_receipts_per_ward_net_of_reversals_in_one_query(tree, django_assert_max_num_queries):
    a1, a2 = tree["ward_a1"], tree["ward_a2"]
    poor_a1 = _fund(a1, FundKind.POOR)
    poor_area = _fund(tree["area_a1"], FundKind.POOR)  # a residential area's fund counts too
    poor_a2 = _fund(a2, FundKind.POOR)
    sea_a1 = _fund(a1, FundKind.SEA_ISLANDS)
    funds.receipt_create(actor=None, fund=poor_a1, amount=30_000_000, booked_on=D(2023, 3, 1))
    wrong = funds.receipt_create(
        actor=None, fund=poor_a1, amount=5_000_000, booked_on=D(2023, 3, 2)
    )
    funds.entry_reverse(actor=None, entry=wrong, reason="Ghi nhầm quỹ", booked_on=D(2023, 3, 3))
    funds.receipt_create(actor=None, fund=poor_area, amount=2_500_000, booked_on=D(2023, 11, 1))
    funds.receipt_create(actor=None, fund=poor_a2, amount=7_000_000, booked_on=D(2024, 1, 2))
    funds.receipt_create(actor=None, fund=sea_a1, amount=1_000_000, booked_on=D(2023, 6, 1))
    m = measures.get("funds.mobilised(fund=poor)")
    assert measures.get("quy.vi_nguoi_ngheo.van_dong") == m  # a key stored before issue 10
    # lineage, the grouped ledger query, the funds open in the period, entered totals
    with django_assert_max_num_queries(4):
        values = m.compute([a1, a2], Period.year(2023))
    assert values == {a1.pk: 32_500_000, a2.pk: 0}
    assert m.format(values[a1.pk]) == "32.500.000 đ"
    assert measures.get("funds.mobilised(fund=sea_islands)").compute(
        [a1, a2], Period.year(2023)
    ) == {
        a1.pk: 1_000_000,
        a2.pk: None,  # no "Vì biển, đảo" fund in Phường A2: no data, not 0 đ
    }
    assert m.compute([a1, a2], Period.year(2024))[a2.pk] == 7_000_000


def test_houses_built_or_repaired_count_quantities_net_of_reversals(tree):
    a1, a2 = tree["ward_a1"], tree["ward_a2"]
    poor = _fund(a1, FundKind.POOR)
    funds.receipt_create(actor=None, fund=poor, amount=500_000_000, booked_on=D(2023, 1, 5))
    funds.disbursement_create(
        actor=None,
        fund=poor,
        amount=60_000_000,
        booked_on=D(2023, 4, 1),
        purpose=Purpose.HOUSE_REPAIR,
        quantity=2,
        beneficiaries="2 hộ cận nghèo tổ 5, tổ 9",
    )
    funds.disbursement_create(
        actor=None,
        fund=poor,
        amount=80_000_000,
        booked_on=D(2023, 8, 1),
        purpose=Purpose.HOUSE_BUILD,  # no quantity: one house
    )
    mistake = funds.disbursement_create(
        actor=None,
        fund=poor,
        amount=30_000_000,
        booked_on=D(2023, 9, 1),
        purpose=Purpose.HOUSE_REPAIR,
        quantity=1,
    )
    funds.entry_reverse(actor=None, entry=mistake, reason="Trùng", booked_on=D(2023, 9, 2))
    funds.disbursement_create(
        actor=None,
        fund=poor,
        amount=10_000_000,
        booked_on=D(2023, 9, 5),
        purpose=Purpose.GIFTS,
        quantity=20,
    )
    houses = measures.get("funds.spent(measure=quantity,purpose=house_build|house_repair)")
    # Phường A2 has no fund: no data (not "0 nhà")
    assert houses.compute([a1, a2], Period.year(2023)) == {a1.pk: 3, a2.pk: None}
    assert houses.format(3) == "3 nhà"
    assert measures.get("funds.spent(measure=quantity,purpose=gifts)").compute(
        [a1], Period.year(2023)
    ) == {a1.pk: 20}
