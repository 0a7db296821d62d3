"""The ledger: append-only rows, overdraft refused, transfers, reversals, balances, fund book."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.core.periods import Period
from mattran.funds import selectors, services
from mattran.funds.models import EntryKind, FundKind, LedgerEntry, Purpose, TransferStatus

D = dt.date


def _receipt(fund, editor, amount, day=None, name="Nguyễn Văn An"):
    day = day or D(2023, 3, 1)
    return services.receipt_create(
        actor=editor, fund=fund, amount=amount, booked_on=day, party_name=name
    )


def _pay(fund, editor, amount, day=None, purpose=Purpose.GIFTS, quantity=None):
    day = day or D(2023, 3, 2)
    return services.disbursement_create(
        actor=editor, fund=fund, amount=amount, booked_on=day, purpose=purpose, quantity=quantity
    )


@pytest.mark.django_db(transaction=True)
def test_database_refuses_update_and_delete_of_ledger_rows(fund, editor):
    entry = _receipt(fund, editor, 500_000)
    table = LedgerEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET amount = 1 WHERE id = %s",  # noqa: S608 - table name is ours
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with (
            pytest.raises(DatabaseError) as caught,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
        assert "Sổ quỹ chỉ được ghi thêm" in str(caught.value)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(memo="sửa")
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.amount == 500_000
    # the project's flush (test teardown, resets) may still empty the database


def test_sqlite_raw_connection_without_the_function_is_refused(fund, editor, tmp_path):
    if connection.vendor != "sqlite":
        # on PostgreSQL the trigger needs nothing from the client: covered above
        assert connection.vendor == "postgresql"
        return
    import sqlite3

    entry = _receipt(fund, editor, 1_000)
    raw = sqlite3.connect(":memory:")
    raw.execute("CREATE TABLE funds_ledgerentry (id INTEGER PRIMARY KEY, amount INTEGER)")
    raw.execute(
        "CREATE TRIGGER t BEFORE UPDATE ON funds_ledgerentry WHEN mattran_ledger_writable() = 0 "
        "BEGIN SELECT RAISE(ABORT, 'x'); END"
    )
    raw.execute("INSERT INTO funds_ledgerentry VALUES (1, 5)")
    with pytest.raises(sqlite3.OperationalError, match="no such function"):
        raw.execute("UPDATE funds_ledgerentry SET amount = 6")
    assert entry.pk


def test_amounts_are_positive_whole_dong(fund, editor):
    for bad in (0, -5, 1.5, "100", True):
        with pytest.raises(UserFacingError):
            _receipt(fund, editor, bad)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.create(
            fund=fund, kind=EntryKind.RECEIPT, sign=1, amount=0, booked_on=D(2023, 1, 2)
        )


def test_overdraft_refused_with_vietnamese_message(fund, editor):
    _receipt(fund, editor, 1_000_000)
    _pay(fund, editor, 400_000)
    with pytest.raises(UserFacingError) as caught:
        _pay(fund, editor, 600_001)
    assert caught.value.message == (
        "Không đủ số dư: Quỹ Vì người nghèo quận A chỉ còn 600.000 đ có thể chi từ ngày "
        "02/03/2023, không chi được 600.001 đ."
    )
    _pay(fund, editor, 600_000)
    assert selectors.fund_balance(fund=fund) == 0


def test_backdated_disbursement_cannot_overdraw_a_later_day(fund, editor):
    _receipt(fund, editor, 1_000_000, day=D(2023, 3, 1))
    _pay(fund, editor, 900_000, day=D(2023, 3, 10))
    # on 5 March the balance is 1,000,000, but 10 March would go negative
    with pytest.raises(UserFacingError, match="chỉ còn 100.000 đ"):
        _pay(fund, editor, 200_000, day=D(2023, 3, 5))
    # before any money came in nothing can be paid
    with pytest.raises(UserFacingError, match="chỉ còn 0 đ"):
        _pay(fund, editor, 1, day=D(2023, 2, 1))


def test_balance_at_any_date_and_fund_book(fund, editor, django_assert_max_num_queries):
    _receipt(fund, editor, 5_000_000, day=D(2023, 1, 15))
    _pay(fund, editor, 1_000_000, day=D(2023, 2, 1), quantity=2)
    _receipt(fund, editor, 2_000_000, day=D(2023, 3, 1))
    _pay(fund, editor, 500_000, day=D(2023, 3, 20), purpose=Purpose.HOUSE_REPAIR, quantity=1)
    assert selectors.fund_balance(fund=fund, on=D(2023, 1, 31)) == 5_000_000
    assert selectors.fund_balance(fund=fund, on=D(2023, 2, 28)) == 4_000_000
    assert selectors.fund_balance(fund=fund) == 5_500_000
    with django_assert_max_num_queries(3):
        book = selectors.fund_book(fund=fund, period=Period.month(2023, 3))
        rows = list(book.entries)
    assert book.opening == 4_000_000
    assert (book.total_in, book.total_out, book.closing) == (2_000_000, 500_000, 5_500_000)
    assert [r.running for r in rows] == [6_000_000, 5_500_000]


def test_voucher_numbers_continuous_per_fund_series_and_year(fund, editor):
    entries = [_receipt(fund, editor, 100_000 + i) for i in range(3)]
    entries.append(_pay(fund, editor, 50_000))
    entries.append(_receipt(fund, editor, 100, day=D(2024, 1, 2)))
    assert [e.voucher_code for e in entries] == [
        "PT-2023-0001",
        "PT-2023-0002",
        "PT-2023-0003",
        "PC-2023-0001",
        "PT-2024-0001",
    ]


def test_reversal_names_the_entry_once_and_cannot_be_reversed(fund, editor, approver):
    entry = _receipt(fund, editor, 300_000)
    with pytest.raises(UserFacingError, match="không có quyền đảo bút toán"):
        services.entry_reverse(actor=editor, entry=entry, reason="nhập nhầm")
    reversal = services.entry_reverse(
        actor=approver, entry=entry, reason="nhập nhầm", booked_on=D(2023, 3, 5)
    )
    assert reversal.kind == EntryKind.REVERSAL and reversal.reverses == entry
    assert reversal.sign == -1 and reversal.amount == 300_000
    assert selectors.fund_balance(fund=fund) == 0
    with pytest.raises(UserFacingError, match="đã được đảo"):
        services.entry_reverse(actor=approver, entry=entry, reason="lần hai")
    with pytest.raises(UserFacingError, match="Không đảo được một bút toán đảo"):
        services.entry_reverse(actor=approver, entry=reversal, reason="đảo lại")
    # the database keeps one reversal per entry even if a service forgot to check
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.create(
            fund=fund,
            kind=EntryKind.REVERSAL,
            sign=-1,
            amount=300_000,
            booked_on=D(2023, 3, 6),
            reverses=entry,
        )
    assert AuditEvent.objects.filter(action="ledger.reverse", object_id=str(reversal.pk)).exists()


def test_reversing_a_receipt_cannot_overdraw(fund, editor, approver):
    entry = _receipt(fund, editor, 300_000)
    _pay(fund, editor, 200_000)
    with pytest.raises(UserFacingError, match="Không đủ số dư"):
        services.entry_reverse(actor=approver, entry=entry, reason="nhầm", booked_on=D(2023, 3, 3))


def test_transfer_sent_then_confirmed_by_receiver(tree, fund, editor, approver):
    city_fund = services.fund_create(
        actor=None,
        unit=tree["city"],
        name="Quỹ Vì người nghèo thành phố",
        kind=FundKind.POOR,
        opened_on=D(2023, 1, 1),
    )
    _receipt(fund, editor, 300_000_000)
    with pytest.raises(UserFacingError, match="Không đủ số dư"):
        services.transfer_send(
            actor=editor,
            from_fund=fund,
            to_fund=city_fund,
            amount=300_000_001,
            sent_on=D(2023, 6, 1),
            purpose_text="Xây nhà Đại đoàn kết",
        )
    transfer = services.transfer_send(
        actor=editor,
        from_fund=fund,
        to_fund=city_fund,
        amount=200_000_000,
        sent_on=D(2023, 6, 1),
        purpose_text="Xây nhà Đại đoàn kết tỉnh Điện Biên",
    )
    assert selectors.fund_balance(fund=fund) == 100_000_000
    assert selectors.fund_balance(fund=city_fund) == 0  # pending does not count
    # both sides see it
    assert list(selectors.transfer_list_visible(user=editor)) == [transfer]
    assert list(selectors.transfer_list_visible(user=approver)) == [transfer]
    with pytest.raises(UserFacingError, match="không có quyền xác nhận"):
        services.transfer_confirm(actor=editor, transfer=transfer, received_on=D(2023, 6, 3))
    services.transfer_confirm(actor=approver, transfer=transfer, received_on=D(2023, 6, 3))
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CONFIRMED
    assert selectors.fund_balance(fund=city_fund) == 200_000_000
    assert selectors.fund_balance(fund=city_fund, on=D(2023, 6, 2)) == 0
    with pytest.raises(UserFacingError, match="đã được xác nhận"):
        services.transfer_confirm(actor=approver, transfer=transfer)
    kinds = set(transfer.entries.values_list("kind", "fund_id"))
    assert kinds == {(EntryKind.TRANSFER_OUT, fund.pk), (EntryKind.TRANSFER_IN, city_fund.pk)}


def test_permissions_on_recording(tree, fund):
    from mattran.access.models import Role
    from tests.factories import UserFactory, grant

    other = UserFactory()
    grant(other, tree["district_b"], Role.EDITOR)
    with pytest.raises(UserFacingError, match="không có quyền ghi thu"):
        _receipt(fund, other, 1_000)


def test_fund_figures_groups_the_subtree(tree, fund, editor, approver):
    ward_fund = services.fund_create(
        actor=editor,
        unit=tree["ward_a1"],
        name="Quỹ Vì người nghèo phường A1",
        kind=FundKind.POOR,
        opened_on=D(2023, 1, 1),
    )
    sea = services.fund_create(
        actor=editor,
        unit=tree["ward_a2"],
        name="Quỹ Vì biển, đảo",
        kind=FundKind.SEA_ISLANDS,
        opened_on=D(2023, 1, 1),
    )
    city_fund = services.fund_create(
        actor=None,
        unit=tree["city"],
        name="Quỹ thành phố",
        kind=FundKind.POOR,
        opened_on=D(2023, 1, 1),
    )
    _receipt(fund, editor, 10_000_000)
    _receipt(ward_fund, editor, 5_000_000)
    _receipt(sea, editor, 7_000_000)
    wrong = _receipt(sea, editor, 1_000_000)
    services.entry_reverse(actor=approver, entry=wrong, reason="nhầm", booked_on=D(2023, 3, 4))
    _pay(fund, editor, 2_000_000, quantity=4)
    mistake = _pay(ward_fund, editor, 1_000_000, quantity=2)
    services.entry_reverse(actor=approver, entry=mistake, reason="nhầm", booked_on=D(2023, 3, 4))
    _pay(ward_fund, editor, 1_500_000, quantity=3)
    _pay(ward_fund, editor, 2_000_000, purpose=Purpose.HOUSE_REPAIR, quantity=1)
    t = services.transfer_send(
        actor=editor,
        from_fund=fund,
        to_fund=city_fund,
        amount=3_000_000,
        sent_on=D(2023, 5, 1),
        purpose_text="Ủng hộ thành phố",
    )
    services.transfer_confirm(actor=approver, transfer=t, received_on=D(2023, 5, 2))
    _pay(fund, editor, 100_000, day=D(2023, 10, 1))  # outside the 9 months
    figures = selectors.fund_figures(
        user=approver, unit=tree["district_a"], period=Period.nine_months(2023)
    )
    assert figures["mobilised"] == {"poor": 15_000_000, "sea_islands": 7_000_000}
    poor = figures["disbursed"]["poor"]
    assert poor["total"] == 5_500_000
    assert poor["by_purpose"]["gifts"] == {"amount": 3_500_000, "quantity": 7, "count": 2}
    assert poor["by_purpose"]["house_repair"] == {"amount": 2_000_000, "quantity": 1, "count": 1}
    assert figures["transfers_out_total"] == 3_000_000
    assert figures["transfers_out"][0]["to_unit"] == "Thành phố Thử"
    assert figures["transfers_in"] == []
    city = selectors.fund_figures(unit=tree["city"], period=Period.nine_months(2023))
    assert city["transfers_out_total"] == 0  # internal to the city's subtree
    assert city["transfers_out"][0]["internal"] is True
