"""The engine: every family over a subtree or a peer set, with lineage, access and
entered totals, in a constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mattran.access.models import Role
from mattran.activities import services as act
from mattran.activities.models import ActivityType
from mattran.core.periods import Period
from mattran.figures.engine import figures_compute
from mattran.figures.models import EnteredTotal
from mattran.figures.scope import SELF, scope_build, scope_peers
from mattran.funds import services as funds
from mattran.funds.models import FundKind, Purpose
from tests.factories import UserFactory, grant, make_unit

D = dt.date
H1 = Period.parse("2023-H1")


@pytest.fixture
def admin_city(tree):
    user = UserFactory(username="city_admin")
    grant(user, tree["city"], Role.ADMIN)
    return user


@pytest.fixture
def ledger(tree, admin_city):
    """A district fund and a ward fund (Vì người nghèo), money in, out by purpose, sent up."""
    district = funds.fund_create(
        actor=admin_city,
        unit=tree["district_a"],
        name="Quỹ quận",
        kind=FundKind.POOR,
        opened_on=D(2023, 1, 1),
    )
    ward = funds.fund_create(
        actor=admin_city,
        unit=tree["ward_a1"],
        name="Quỹ phường",
        kind=FundKind.POOR,
        opened_on=D(2023, 1, 1),
    )
    city = funds.fund_create(
        actor=admin_city,
        unit=tree["city"],
        name="Quỹ thành phố",
        kind=FundKind.POOR,
        opened_on=D(2023, 1, 1),
    )
    funds.receipt_create(actor=admin_city, fund=ward, amount=5_000_000, booked_on=D(2023, 2, 1))
    funds.receipt_create(actor=admin_city, fund=district, amount=9_000_000, booked_on=D(2023, 2, 2))
    gifts = funds.disbursement_create(
        actor=admin_city,
        fund=ward,
        amount=1_000_000,
        booked_on=D(2023, 3, 1),
        purpose=Purpose.GIFTS,
        quantity=10,
    )
    funds.disbursement_create(
        actor=admin_city,
        fund=ward,
        amount=600_000,
        booked_on=D(2023, 3, 2),
        purpose=Purpose.MEDICAL,
        quantity=3,
    )
    wrong = funds.disbursement_create(
        actor=admin_city,
        fund=district,
        amount=400_000,
        booked_on=D(2023, 4, 1),
        purpose=Purpose.GIFTS,
        quantity=4,
    )
    funds.entry_reverse(actor=admin_city, entry=wrong, reason="Ghi nhầm", booked_on=D(2023, 4, 2))
    # a bank debit booked unclassified, classified later as medical support
    debit = funds.disbursement_create(
        actor=admin_city,
        fund=ward,
        amount=300_000,
        booked_on=D(2023, 3, 3),
        purpose=Purpose.UNCLASSIFIED,
        quantity=2,
    )
    funds.entry_classify(actor=admin_city, entry=debit, purpose=Purpose.MEDICAL)
    funds.transfer_send(
        actor=admin_city,
        from_fund=district,
        to_fund=city,
        amount=2_000_000,
        sent_on=D(2023, 5, 1),
        purpose_text="Ủng hộ Thành phố",
    )
    funds.transfer_send(
        actor=admin_city,
        from_fund=district,
        to_fund=ward,
        amount=1_500_000,
        sent_on=D(2023, 5, 2),
        purpose_text="Hỗ trợ phường",
    )
    return {"district": district, "ward": ward, "gifts": gifts}


KEYS = {
    "in": "funds.mobilised(fund=poor)",
    "out": "funds.spent(fund=poor)",
    "gift_qty": "funds.spent(fund=poor,measure=quantity,purpose=gifts)",
    "gift_amt": "funds.spent(fund=poor,purpose=gifts)",
    "med_qty": "funds.spent(fund=poor,measure=quantity,purpose=medical)",
    "up": "funds.transfers(direction=up)",
    "down": "funds.transfers(direction=down)",
    "balance": "funds.balance(fund=poor)",
}


def test_ledger_families_by_purpose_reversals_and_transfers(tree, ledger, admin_city):
    scope = scope_build(unit=tree["district_a"])
    fs = figures_compute(user=admin_city, scope=scope, periods=[H1], keys=KEYS.values())
    a1 = str(tree["ward_a1"].pk)
    assert fs[KEYS["in"]].totals[0] == 14_000_000
    assert (fs[KEYS["in"]].own[0], fs[KEYS["in"]].cell(0, a1)) == (9_000_000, 5_000_000)
    assert fs[KEYS["out"]].totals[0] == 1_900_000  # the reversed disbursement nets out
    assert fs[KEYS["gift_qty"]].totals[0] == 10
    assert fs[KEYS["gift_amt"]].totals[0] == 1_000_000
    assert fs[KEYS["med_qty"]].totals[0] == 3 + 2  # the classified debit counts as medical
    assert fs[KEYS["up"]].totals[0] == 2_000_000  # to the city: out of the district
    assert fs[KEYS["down"]].totals[0] == 1_500_000  # district office to its ward
    # received 14 M; paid 1.9 M; sent 3.5 M; the ward's 1.5 M is not confirmed yet
    assert fs[KEYS["balance"]].totals[0] == 14_000_000 - 1_900_000 - 3_500_000
    # At the ward, the money it raised and spent; nothing sent up.
    ward = figures_compute(
        user=admin_city, scope=scope_build(unit=tree["ward_a1"]), periods=[H1], keys=KEYS.values()
    )
    assert ward[KEYS["in"]].totals[0] == 5_000_000
    assert ward[KEYS["gift_qty"]].own[0] == 10
    assert ward[KEYS["up"]].totals[0] == 0


def test_the_users_access_is_applied_once_for_every_source(tree, ledger):
    ward_editor = UserFactory(username="ward_a2_editor")
    grant(ward_editor, tree["ward_a2"], Role.EDITOR)
    act.activity_record_create(
        actor=None,
        unit=tree["ward_a1"],
        type=ActivityType.objects.get(code="toa_dam"),
        date=D(2023, 2, 2),
        title="Tọa đàm",
    )
    scope = scope_build(unit=tree["district_a"])
    keys = [KEYS["in"], "activities.count(types=toa_dam)"]
    fs = figures_compute(user=ward_editor, scope=scope, periods=[H1], keys=keys)
    assert fs[KEYS["in"]].totals[0] is None  # no fund the user may see: no data
    assert fs["activities.count(types=toa_dam)"].totals[0] == 0
    fs = figures_compute(user=None, scope=scope, periods=[H1], keys=keys)
    assert fs["activities.count(types=toa_dam)"].totals[0] == 1


def test_no_fund_is_no_data_an_open_fund_without_entries_is_zero(tree, ledger, admin_city):
    periods = [H1, H1.previous_year(), Period.parse("2023-H2")]
    scope = scope_build(unit=tree["district_a"])

    def compute():
        return figures_compute(user=admin_city, scope=scope, periods=periods, keys=KEYS.values())

    a1, a2 = str(tree["ward_a1"].pk), str(tree["ward_a2"].pk)
    fs = compute()
    # The funds were opened on 01/01/2023: the year before is no data ("—"), not 0 đ.
    for name in ("in", "out", "gift_qty", "up", "down", "balance"):
        assert fs[KEYS[name]].totals[1] is None, name
        assert fs[KEYS[name]].cell(1, a1) is None, name
    # Phường A2 has no fund: no data there, while the district total stands.
    assert fs[KEYS["in"]].cell(0, a2) is None and fs[KEYS["in"]].totals[0] == 14_000_000
    # In the second half the funds were open and nothing was booked: 0.
    assert fs[KEYS["in"]].totals[2] == 0 and fs[KEYS["in"]].cell(2, a1) == 0
    assert fs[KEYS["balance"]].totals[2] == fs[KEYS["balance"]].totals[0]
    # A fund opened (in 2022) but without an entry yet: its ledger says 0.
    funds.fund_create(
        actor=admin_city,
        unit=tree["ward_a2"],
        name="Quỹ phường A2",
        kind=FundKind.POOR,
        opened_on=D(2022, 1, 1),
    )
    fs = compute()
    assert fs[KEYS["in"]].cell(1, a2) == 0 and fs[KEYS["in"]].totals[1] == 0
    assert fs[KEYS["balance"]].cell(0, a2) == 0
    # A fund closed before a period: no data for the money moved in it; its balance stands.
    ledger["ward"].closed_on = D(2023, 6, 30)
    ledger["ward"].save(update_fields=["closed_on"])
    fs = compute()
    assert fs[KEYS["in"]].cell(2, a1) is None and fs[KEYS["in"]].own[2] == 0
    assert fs[KEYS["balance"]].cell(2, a1) == fs[KEYS["balance"]].cell(0, a1)


def test_peer_scope_each_peer_its_subtree(tree):
    t = ActivityType.objects.get(code="tuyen_truyen")
    for unit, n in [(tree["area_a1"], 2), (tree["ward_a2"], 1), (tree["ward_b1"], 4)]:
        for i in range(n):
            act.activity_record_create(
                actor=None, unit=unit, type=t, date=D(2023, 3, 1 + i), title="TT", attendance=5
            )
    peers = scope_peers([tree["ward_a1"], tree["ward_a2"], tree["ward_b1"]])
    fs = figures_compute(
        user=None,
        scope=peers,
        periods=[H1],
        keys=["activities.count(types=tuyen_truyen)", "units.residential_areas"],
    )
    count = fs["activities.count(types=tuyen_truyen)"]
    assert [count.cell(0, str(tree[w].pk)) for w in ("ward_a1", "ward_a2", "ward_b1")] == [2, 1, 4]
    assert count.totals[0] == 7
    areas = fs["units.residential_areas"]
    assert areas.cell(0, str(tree["ward_a1"].pk)) == 1 and areas.totals[0] == 1


def test_query_count_does_not_grow_with_keys_or_units(tree, ledger):
    periods = [H1, H1.previous_year()]
    few = [KEYS["in"], "activities.count(types=tuyen_truyen)"]
    many = [*KEYS.values(), "activities.count(types=tuyen_truyen)", "mediation.rate"] + [
        f"activities.attendance(types={c})" for c in ("tuyen_truyen", "toa_dam", "doi_thoai")
    ]

    def queries(keys) -> int:
        scope = scope_build(unit=tree["district_a"])
        with CaptureQueriesContext(connection) as ctx:
            figures_compute(user=None, scope=scope, periods=periods, keys=keys)
        return len(ctx.captured_queries)

    small, big = queries(few), queries(many)
    for i in range(5):
        ward = make_unit(f"Phường thêm {i}", tree["district_a"])
        act.activity_record_create(
            actor=None,
            unit=ward,
            type=ActivityType.objects.get(code="toa_dam"),
            date=D(2023, 2, 1 + i),
            title="Tọa đàm",
        )
    assert queries(few) == small
    assert queries(many) == big
    # lineage, activity types, the UNION ALL (in a savepoint: 3; PostgreSQL also sets the
    # scan's work_mem), ledger entries, the scope's funds (which were open), entered totals
    assert small <= 8 + (connection.vendor == "postgresql")
    # + transfers, balances and the narrative's subjects list (one query each),
    # whatever the number of keys
    assert big <= small + 3


def test_entered_totals_stand_where_no_record_gave_a_value(tree):
    t = ActivityType.objects.get(code="tuyen_truyen")
    act.activity_record_create(
        actor=None, unit=tree["ward_a2"], type=t, date=D(2022, 3, 1), title="TT", attendance=5
    )
    prev = H1.previous_year()
    key = "activities.count(types=tuyen_truyen)"
    for unit, value in [(tree["ward_a1"], 12), (tree["ward_a2"], 40)]:
        EnteredTotal.objects.create(
            unit=unit,
            key=key,
            period_code=prev.code,
            period_start=prev.start,
            period_end=prev.end,
            value=value,
        )
    fs = figures_compute(
        user=None, scope=scope_build(unit=tree["district_a"]), periods=[H1, prev], keys=[key]
    )
    fv = fs[key]
    # A1 had no records: its entered 12 stands; A2 had a record: the record stands.
    assert fv.cell(1, str(tree["ward_a1"].pk)) == 12
    assert fv.cell(1, str(tree["ward_a2"].pk)) == 1
    assert fv.totals[1] == 13 and fv.entered[1] is True
    assert fv.totals[0] == 0 and not fv.entered.get(0)
    # the ward's own report shows its entered total for the year before
    ward = figures_compute(
        user=None, scope=scope_build(unit=tree["ward_a1"]), periods=[H1, prev], keys=[key]
    )
    assert ward[key].totals[1] == 12 and ward[key].own[1] is None
    assert ward[key].cell(1, SELF) in (0, None)
