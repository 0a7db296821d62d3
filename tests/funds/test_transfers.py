"""Transfers: the purpose for the report sentence, cancel by the sender, return of a mistake."""

import datetime as dt

import pytest

from mattran.access.models import Role
from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.core.periods import Period
from mattran.funds import selectors, services
from mattran.funds.models import EntryKind, FundKind, LedgerEntry, Transfer, TransferStatus
from tests.factories import UserFactory, grant

D = dt.date
PURPOSE = "xây dựng nhà Đại đoàn kết cho các hộ nghèo tỉnh Điện Biên"


@pytest.fixture
def city_editor(tree):
    user = UserFactory(username="tp.thuquy")
    grant(user, tree["city"], Role.EDITOR)
    return user


@pytest.fixture
def city_fund(tree, city_editor):
    return services.fund_create(
        actor=city_editor,
        unit=tree["city"],
        name="Quỹ Vì người nghèo thành phố",
        kind=FundKind.POOR,
        opened_on=D(2023, 1, 1),
    )


@pytest.fixture
def sent(fund, editor, city_fund):
    services.receipt_create(
        actor=editor, fund=fund, amount=300_000_000, booked_on=D(2023, 3, 1), party_name="A"
    )
    return services.transfer_send(
        actor=editor,
        from_fund=fund,
        to_fund=city_fund,
        amount=200_000_000,
        sent_on=D(2023, 6, 1),
        purpose_text="Ủng hộ Thành phố xây dựng nhà Đại đoàn kết tỉnh Điện Biên",
        purpose=PURPOSE,
    )


def _out(tree, user, year=2023):
    unit = tree["district_a"]
    purposes = selectors.transfer_purposes(user=user, unit=unit, period=Period.year(year))
    total = selectors.fund_figures(unit=unit, period=Period.year(year))["transfers_out_total"]
    return total, purposes


def test_the_purpose_is_stored_and_given_to_the_report(tree, sent, editor):
    assert Transfer.objects.get().purpose == PURPOSE
    assert _out(tree, editor) == (200_000_000, [PURPOSE])


def test_the_sender_cancels_a_pending_transfer(tree, fund, editor, approver, sent, city_fund):
    other = UserFactory()
    grant(other, tree["district_b"], Role.EDITOR)
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.transfer_cancel(actor=other, transfer=sent, reason="nhầm")
    with pytest.raises(UserFacingError, match="lý do"):
        services.transfer_cancel(actor=editor, transfer=sent, reason=" ")
    services.transfer_cancel(
        actor=editor, transfer=sent, reason="Chuyển nhầm quỹ", cancelled_on=D(2023, 6, 2)
    )
    sent.refresh_from_db()
    assert sent.status == TransferStatus.CANCELLED and sent.cancel_reason == "Chuyển nhầm quỹ"
    assert selectors.fund_balance(fund=fund) == 300_000_000  # the money is back
    reversal = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert reversal.reverses.kind == EntryKind.TRANSFER_OUT and reversal.transfer == sent
    event = AuditEvent.objects.get(action="transfer.cancel")
    assert event.actor == editor and event.before["status"] == "pending"
    assert event.after["status"] == "cancelled"
    with pytest.raises(UserFacingError, match="đã hủy"):
        services.transfer_confirm(actor=approver, transfer=sent)
    with pytest.raises(UserFacingError, match="đã được hủy"):
        services.transfer_cancel(actor=editor, transfer=sent, reason="lần nữa")
    assert selectors.fund_balance(fund=city_fund) == 0
    assert _out(tree, editor) == (0, [])


def test_a_confirmed_mistake_is_returned_by_a_linked_transfer(
    tree, fund, editor, approver, city_editor, sent, city_fund
):
    services.transfer_confirm(actor=approver, transfer=sent, received_on=D(2023, 6, 3))
    with pytest.raises(UserFacingError, match="không hủy được"):
        services.transfer_cancel(actor=editor, transfer=sent, reason="nhầm")
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.transfer_return(actor=editor, transfer=sent, reason="nhầm")  # not the receiver
    back = services.transfer_return(
        actor=city_editor, transfer=sent, reason="Quận chuyển nhầm", sent_on=D(2023, 6, 5)
    )
    assert back.returns == sent and back.from_fund == city_fund and back.to_fund == fund
    assert back.amount == sent.amount and "Quận chuyển nhầm" in back.purpose_text
    assert AuditEvent.objects.filter(action="transfer.return", object_id=str(sent.pk)).exists()
    with pytest.raises(UserFacingError, match="đã được chuyển trả"):
        services.transfer_return(actor=city_editor, transfer=sent, reason="lần nữa")
    services.transfer_confirm(actor=approver, transfer=back, received_on=D(2023, 6, 6))
    assert selectors.fund_balance(fund=fund) == 300_000_000
    assert selectors.fund_balance(fund=city_fund) == 0
    # the returned transfer is no longer support to the city: not in the sentence,
    # and the money is back in the district's transfers in
    assert _out(tree, editor)[1] == []
    figures = selectors.fund_figures(unit=tree["district_a"], period=Period.year(2023))
    assert figures["transfers_in_total"] == 200_000_000


def test_transfer_pages_cancel_and_return(client, tree, fund, editor, city_editor, sent):
    client.force_login(editor)
    page = client.get("/quy/dieu-chuyen/").content.decode()
    assert "Hủy khoản chuyển" in page and PURPOSE in page
    response = client.post(f"/quy/dieu-chuyen/{sent.pk}/huy/", {"reason": "Nhầm số tiền"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == TransferStatus.CANCELLED
    assert "Bên chuyển đã hủy" in client.get("/quy/dieu-chuyen/").content.decode()


def test_return_from_the_transfer_page_books_once(client, approver, city_editor, sent):
    services.transfer_confirm(actor=approver, transfer=sent, received_on=D(2023, 6, 3))
    client.force_login(city_editor)
    page = client.get("/quy/dieu-chuyen/").content.decode()
    assert "Chuyển trả (chuyển nhầm)" in page
    form = page[page.index(f'action="/quy/dieu-chuyen/{sent.pk}/chuyen-tra/"') :]
    token = form.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    data = {"sent_on": "2023-06-05", "reason": "Chuyển nhầm", "form_token": token}
    for _ in range(2):  # a double click
        client.post(f"/quy/dieu-chuyen/{sent.pk}/chuyen-tra/", data)
    back = Transfer.objects.get(returns=sent)
    assert back.status == TransferStatus.PENDING and back.amount == sent.amount
    assert "Chuyển trả (chuyển nhầm)" not in client.get("/quy/dieu-chuyen/").content.decode()
