"""funds.transfers: the purposes said in the report, and a return is not money sent
(issue 9 item 8, issue 10): it corrects the transfer it returns."""

import datetime as dt

import pytest

from mattran.access.models import Role
from mattran.core.periods import Period
from mattran.figures.engine import figures_compute
from mattran.figures.scope import scope_build
from mattran.funds import services as funds
from mattran.funds.models import FundKind
from tests.factories import UserFactory, grant

D = dt.date
H1 = Period.parse("2023-H1")
UP, DOWN = "funds.transfers(direction=up)", "funds.transfers(direction=down)"
HOUSES = "xây dựng nhà Đại đoàn kết cho các hộ nghèo Tỉnh Điện Biên"


@pytest.fixture
def admin(tree):
    user = UserFactory(username="quan_tri_tp")
    grant(user, tree["city"], Role.ADMIN)
    return user


@pytest.fixture
def fund_of(tree, admin):
    made = {}
    for key in ("city", "district_a", "ward_a1"):
        made[key] = funds.fund_create(
            actor=admin,
            unit=tree[key],
            name=f"Quỹ {tree[key].name}",
            kind=FundKind.POOR,
            opened_on=D(2023, 1, 1),
        )
        funds.receipt_create(
            actor=admin, fund=made[key], amount=50_000_000, booked_on=D(2023, 1, 5)
        )
    return made


def _figures(unit, admin, periods=(H1,)):
    return figures_compute(
        user=admin, scope=scope_build(unit=unit), periods=periods, keys=[UP, DOWN]
    )


def _send(admin, from_fund, to_fund, amount, day, purpose="", text="Chuyển quỹ"):
    return funds.transfer_send(
        actor=admin,
        from_fund=from_fund,
        to_fund=to_fund,
        amount=amount,
        sent_on=day,
        purpose_text=text,
        purpose=purpose,
    )


def test_the_purposes_of_the_money_sent_up_are_the_figures_names(tree, admin, fund_of):
    _send(admin, fund_of["district_a"], fund_of["city"], 20_000_000, D(2023, 3, 1), HOUSES)
    _send(admin, fund_of["district_a"], fund_of["city"], 5_000_000, D(2023, 4, 1), HOUSES)
    _send(admin, fund_of["ward_a1"], fund_of["city"], 1_000_000, D(2023, 2, 1), "ủng hộ đồng bào")
    _send(admin, fund_of["district_a"], fund_of["city"], 7_000_000, D(2023, 5, 1))  # no purpose
    up = _figures(tree["district_a"], admin)[UP]
    assert up.totals[0] == 33_000_000
    # in the order sent, each once; a transfer without a purpose adds no words
    assert up.names[0] == ["ủng hộ đồng bào", HOUSES]
    later = figures_compute(
        user=admin,
        scope=scope_build(unit=tree["district_a"]),
        periods=[Period.parse("2023-Q2")],
        keys=[UP],
    )[UP]
    assert later.totals[0] == 12_000_000 and later.names[0] == [HOUSES]


def test_a_return_is_neither_money_sent_down_nor_up_and_cancels_the_original(tree, admin, fund_of):
    down = _send(admin, fund_of["district_a"], fund_of["ward_a1"], 3_000_000, D(2023, 2, 1))
    funds.transfer_confirm(actor=admin, transfer=down, received_on=D(2023, 2, 2))
    kept = _send(admin, fund_of["district_a"], fund_of["ward_a1"], 1_000_000, D(2023, 2, 3))
    assert _figures(tree["district_a"], admin)[DOWN].totals[0] == 4_000_000
    # the ward got the 3 M by mistake and sends it back (the district confirms later)
    back = funds.transfer_return(
        actor=admin, transfer=down, reason="Chuyển nhầm", sent_on=D(2023, 3, 1)
    )
    district = _figures(tree["district_a"], admin)
    assert district[DOWN].totals[0] == 1_000_000  # only the transfer kept
    ward = _figures(tree["ward_a1"], admin)
    assert ward[UP].totals[0] == 0  # the return is not the ward's support to the district
    funds.transfer_confirm(actor=admin, transfer=back, received_on=D(2023, 3, 2))
    assert _figures(tree["district_a"], admin)[DOWN].totals[0] == 1_000_000
    assert kept.returns_id is None


def test_a_returned_transfer_up_leaves_the_sentence_and_a_cancelled_return_restores_it(
    tree, admin, fund_of
):
    sent = _send(admin, fund_of["district_a"], fund_of["city"], 20_000_000, D(2023, 3, 1), HOUSES)
    funds.transfer_confirm(actor=admin, transfer=sent, received_on=D(2023, 3, 2))
    back = funds.transfer_return(
        actor=admin, transfer=sent, reason="Nhầm quỹ", sent_on=D(2023, 3, 5)
    )
    up = _figures(tree["district_a"], admin)[UP]
    assert up.totals[0] == 0 and not up.names.get(0)
    # at the city the return, sent from it to a unit below it, is not money sent down
    assert _figures(tree["city"], admin)[DOWN].totals[0] == 0
    funds.transfer_cancel(actor=admin, transfer=back, reason="Không trả nữa")
    up = _figures(tree["district_a"], admin)[UP]
    assert up.totals[0] == 20_000_000 and up.names[0] == [HOUSES]


def test_a_cancelled_transfer_counts_nowhere(tree, admin, fund_of):
    sent = _send(admin, fund_of["district_a"], fund_of["city"], 9_000_000, D(2023, 3, 1), HOUSES)
    funds.transfer_cancel(actor=admin, transfer=sent, reason="Sai số tiền")
    up = _figures(tree["district_a"], admin)[UP]
    assert up.totals[0] == 0 and not up.names.get(0)
