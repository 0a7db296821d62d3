"""Writes to funds and the ledger. Each function is atomic, checks permission and audits.

Permissions (decided here, shown on the fund pages):
- Perm.EDIT on the fund's unit: create funds and accounts, record receipts and
  disbursements, send transfers, import bank statements, match donors.
- Perm.APPROVE on the *receiving* fund's unit: confirm a transfer.
- Perm.APPROVE on the fund's unit: reverse an entry (a correction needs a
  second, senior person; the clerk who made the mistake cannot erase it).

Concurrency: every write that moves money first locks the fund row
(SELECT ... FOR UPDATE on PostgreSQL; on SQLite the write transaction itself is
BEGIN IMMEDIATE, see settings, so writers are serialised). Under that lock the
balance is read, the overdraft check made, voucher numbers taken from the
counter row and the entry inserted, all in one transaction: two parallel
disbursements can never both pass the check, and voucher numbers have no gaps
and no duplicates. A transfer locks both funds, in primary-key order
(`lock_funds`), so transfers in opposite directions cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from mattran.access.policy import Perm, require_perm
from mattran.core.audit import audit_record, snapshot
from mattran.core.errors import UserFacingError, full_clean_or_raise
from mattran.core.form_tokens import form_token_done, form_token_use
from mattran.core.vietnamese import (
    MAX_AMOUNT,
    fold,
    format_date,
    format_money,
    mask_personal,
    nfc,
)
from mattran.units.models import Unit

from . import hooks
from .models import (
    AccountKind,
    AnnotationKind,
    Channel,
    EntryKind,
    Fund,
    FundAccount,
    LedgerAnnotation,
    LedgerEntry,
    PartyKind,
    Purpose,
    StatementLine,
    Transfer,
    TransferStatus,
    VoucherCounter,
    VoucherSeries,
)

# ---------------------------------------------------------------------- helpers


def _check_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise UserFacingError("Số tiền phải là số nguyên đồng.")
    if amount <= 0:
        raise UserFacingError("Số tiền phải lớn hơn 0 đồng.")
    if amount > MAX_AMOUNT:
        raise UserFacingError("Số tiền quá lớn, vui lòng kiểm tra lại.")
    return amount


MAX_DAYS_AHEAD = 31  # a money date later than today + 31 days is a typing error


def _check_open(fund: Fund, day: dt.date) -> None:
    latest = timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD)
    if day > latest:
        raise UserFacingError(
            f"Ngày {format_date(day)} quá xa trong tương lai: chỉ ghi được đến ngày "
            f"{format_date(latest)} (hôm nay thêm {MAX_DAYS_AHEAD} ngày)."
        )
    if day < fund.opened_on:
        raise UserFacingError(
            f"Ngày {format_date(day)} trước ngày mở {fund.name} ({format_date(fund.opened_on)})."
        )
    if fund.closed_on and day > fund.closed_on:
        raise UserFacingError(
            f"{fund.name} đã đóng từ ngày {format_date(fund.closed_on)}; không ghi thêm được."
        )


_WORD = re.compile(r"[a-z0-9]+")


def search_words(text: str) -> str:
    """Folded words joined by single spaces: "Lê Thị Hoà." → "le thi hoa"."""
    return " ".join(_WORD.findall(fold(text)))


def search_key_for(party_name: str, memo: str) -> str:
    """What the public lookup searches: folded words of the name and the *masked* memo.

    Padded with spaces so that a search can match at word starts
    (" hoa" finds "Hòa", "Hoà", "HOA", not "Khoa"); account and phone numbers
    in the name and the memo are masked first, so they cannot be searched for.
    """
    return f" {search_words(f'{mask_personal(party_name)} {mask_personal(memo)}')} "


def lock_fund(fund: Fund) -> Fund:
    """Lock the fund row for the rest of the transaction (no-op on SQLite: IMMEDIATE)."""
    return Fund.objects.select_for_update().get(pk=fund.pk)


def lock_funds(*funds: Fund) -> dict[int, Fund]:
    """Lock several fund rows, always in primary-key order.

    A write that touches two funds (a transfer names the receiving fund, and the
    foreign key check takes a share lock on its row) must lock both first and
    in one global order: otherwise A→B and B→A at the same moment each hold one
    fund and wait for the other (a deadlock on PostgreSQL).
    """
    locked = Fund.objects.select_for_update().filter(pk__in=[f.pk for f in funds]).order_by("pk")
    return {f.pk: f for f in locked}


def allocate_vouchers(*, fund: Fund, series: str, year: int, count: int = 1) -> int:
    """Take `count` consecutive voucher numbers; returns the first. Call with the fund locked."""
    counter, _ = VoucherCounter.objects.select_for_update().get_or_create(
        fund=fund, series=series, year=year
    )
    first = counter.last_number + 1
    VoucherCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + count)
    return first


def _available_from(fund: Fund, day: dt.date) -> int:
    """The lowest end-of-day balance from `day` on: what an outflow booked on `day` may take.

    An outflow booked on `day` lowers the balance at the end of `day` and of every
    later day, so it must fit under the smallest of them (two queries, both on
    the (fund, booked_on) index).
    """
    amount = F("amount") * F("sign")
    before = (
        LedgerEntry.objects.filter(fund=fund, booked_on__lt=day).aggregate(s=Sum(amount))["s"] or 0
    )
    daily = (
        LedgerEntry.objects.filter(fund=fund, booked_on__gte=day)
        .values_list("booked_on")
        .annotate(s=Sum(amount))
        .order_by("booked_on")
    )
    running, lowest, first = before, None, True
    for booked_on, total in daily:
        if first and booked_on != day:
            lowest = before  # nothing on `day` itself: its end balance is the opening
        first = False
        running += total
        lowest = running if lowest is None else min(lowest, running)
    return before if lowest is None else lowest


def _check_no_overdraft(fund: Fund, amount: int, day: dt.date) -> None:
    """Refuse an outflow that would make the balance negative on `day` or any later day."""
    available = _available_from(fund, day)
    if amount > available:
        raise UserFacingError(
            f"Không đủ số dư: {fund.name} chỉ còn {format_money(max(available, 0))} "
            f"có thể chi từ ngày {format_date(day)}, không chi được {format_money(amount)}."
        )


def _create_entry(entry: LedgerEntry, *, actor, action: str, note: str = "") -> LedgerEntry:
    if entry.kind in (EntryKind.RECEIPT, EntryKind.TRANSFER_IN):
        entry.sign = 1
    elif entry.kind in (EntryKind.DISBURSEMENT, EntryKind.TRANSFER_OUT):
        entry.sign = -1
    entry.party_name = nfc(entry.party_name)
    entry.memo = nfc(entry.memo)
    entry.reference = nfc(entry.reference)
    entry.beneficiaries = entry.beneficiaries.strip()
    entry.party_key = fold(entry.party_name)
    entry.search_key = search_key_for(entry.party_name, entry.memo)
    if getattr(actor, "is_authenticated", False):
        entry.created_by = actor
    full_clean_or_raise(
        entry,
        exclude=["reverses", "transfer", "statement_line", "created_by"],
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise UserFacingError("Không ghi được bút toán: dữ liệu vi phạm ràng buộc sổ quỹ.") from exc
    hooks.entries_booked(entry_ids=[entry.pk])  # the public log, same transaction
    audit_record(
        actor=actor,
        action=action,
        obj=entry,
        unit=entry.fund.unit,
        after=snapshot(entry),
        note=note,
    )
    return entry


def _check_account(fund: Fund, account: FundAccount | None) -> None:
    if account is not None and account.fund_id != fund.pk:
        raise UserFacingError("Tài khoản không thuộc quỹ này.")


# ----------------------------------------------------------------- funds/accounts


@transaction.atomic
def fund_create(
    *,
    actor,
    unit: Unit,
    name: str,
    kind: str,
    opened_on: dt.date,
    closed_on: dt.date | None = None,
    description: str = "",
    is_public: bool = True,
    form_token: str = "",
) -> Fund:
    require_perm(actor, Perm.EDIT, unit, "mở quỹ")
    once = (
        form_token_use(token=form_token, actor=actor, action="fund.create") if form_token else None
    )
    fund = Fund(
        unit=unit,
        name=nfc(name),
        kind=kind,
        opened_on=opened_on,
        closed_on=closed_on,
        description=description.strip(),
        is_public=is_public,
    )
    full_clean_or_raise(fund, validate_constraints=False)
    if Fund.objects.filter(unit=unit, name=fund.name).exists():
        raise UserFacingError(f"{unit.name} đã có quỹ tên “{fund.name}”.")
    fund.save()
    audit_record(actor=actor, action="fund.create", obj=fund, unit=unit, after=snapshot(fund))
    form_token_done(once, fund)
    return fund


@transaction.atomic
def fund_open(
    *,
    actor,
    unit: Unit,
    name: str,
    kind: str,
    opened_on: dt.date,
    description: str = "",
    is_public: bool = True,
    form_token: str = "",
    bank_name: str = "",
    account_number: str = "",
    cash: bool = False,
) -> Fund:
    """The "open a fund" page: the fund with its bank account (when a number is given)
    and its cash book, in one transaction (a refused account leaves no fund)."""
    fund = fund_create(
        actor=actor,
        unit=unit,
        name=name,
        kind=kind,
        opened_on=opened_on,
        description=description,
        is_public=is_public,
        form_token=form_token,
    )
    if account_number.strip():
        fund_account_create(
            actor=actor,
            fund=fund,
            kind=AccountKind.BANK,
            bank_name=bank_name,
            account_number=account_number,
        )
    if cash:
        fund_account_create(actor=actor, fund=fund, kind=AccountKind.CASH)
    return fund


@transaction.atomic
def fund_account_create(
    *,
    actor,
    fund: Fund,
    kind: str,
    bank_name: str = "",
    account_number: str = "",
    account_name: str = "",
) -> FundAccount:
    require_perm(actor, Perm.EDIT, fund.unit, "thêm tài khoản quỹ")
    account = FundAccount(
        fund=fund,
        kind=kind,
        bank_name=nfc(bank_name),
        account_number=account_number.replace(" ", ""),
        account_name=nfc(account_name),
    )
    if kind == AccountKind.BANK and not account.account_number:
        raise UserFacingError("Tài khoản ngân hàng cần số tài khoản.")
    if kind == AccountKind.CASH:
        account.bank_name = account.account_number = ""
        if FundAccount.objects.filter(fund=fund, kind=AccountKind.CASH).exists():
            raise UserFacingError("Quỹ đã có sổ tiền mặt.")
    elif FundAccount.objects.filter(
        kind=AccountKind.BANK, bank_name=account.bank_name, account_number=account.account_number
    ).exists():
        raise UserFacingError(
            f"Tài khoản {account.bank_name} {account.account_number} đã được gắn với một quỹ."
        )
    full_clean_or_raise(account, validate_constraints=False)
    account.save()
    audit_record(
        actor=actor,
        action="fund_account.create",
        obj=account,
        unit=fund.unit,
        after=snapshot(account),
    )
    return account


# ------------------------------------------------------------------------ ledger


@transaction.atomic
def receipt_create(
    *,
    actor,
    fund: Fund,
    amount: int,
    booked_on: dt.date,
    party_name: str = "",
    party_kind: str = PartyKind.UNKNOWN,
    channel: str = Channel.BANK,
    reference: str = "",
    memo: str = "",
    account: FundAccount | None = None,
    statement_line: StatementLine | None = None,
    form_token: str = "",
) -> LedgerEntry:
    """Record money received (phiếu thu numbered in the fund's series for the year).

    ``form_token``: the page's one-time token (core.form_tokens); a second
    submission of the same page raises DuplicateSubmission and books nothing.
    """
    require_perm(actor, Perm.EDIT, fund.unit, "ghi thu")
    once = (
        form_token_use(token=form_token, actor=actor, action="ledger.receipt")
        if form_token
        else None
    )
    _check_amount(amount)
    _check_account(fund, account)
    fund = lock_fund(fund)
    _check_open(fund, booked_on)
    number = allocate_vouchers(fund=fund, series=VoucherSeries.RECEIPT, year=booked_on.year)
    entry = LedgerEntry(
        fund=fund,
        account=account,
        kind=EntryKind.RECEIPT,
        sign=1,
        amount=amount,
        booked_on=booked_on,
        party_name=party_name,
        party_kind=party_kind,
        channel=channel,
        reference=reference,
        memo=memo,
        statement_line=statement_line,
        voucher_series=VoucherSeries.RECEIPT,
        voucher_year=booked_on.year,
        voucher_number=number,
    )
    entry = _create_entry(entry, actor=actor, action="ledger.receipt")
    form_token_done(once, entry)
    return entry


@transaction.atomic
def disbursement_create(
    *,
    actor,
    fund: Fund,
    amount: int,
    booked_on: dt.date,
    purpose: str,
    payee_name: str = "",
    payee_kind: str = PartyKind.UNKNOWN,
    beneficiaries: str = "",
    quantity: int | None = None,
    channel: str = Channel.CASH,
    reference: str = "",
    memo: str = "",
    account: FundAccount | None = None,
    statement_line: StatementLine | None = None,
    form_token: str = "",
) -> LedgerEntry:
    """Record money paid out; refused if it would overdraw the fund on any day from booked_on."""
    require_perm(actor, Perm.EDIT, fund.unit, "ghi chi")
    once = (
        form_token_use(token=form_token, actor=actor, action="ledger.disbursement")
        if form_token
        else None
    )
    _check_amount(amount)
    _check_account(fund, account)
    if purpose not in Purpose.values:
        raise UserFacingError("Cần chọn mục đích chi.")
    if quantity is not None and quantity < 0:
        raise UserFacingError("Số lượng không được âm.")
    fund = lock_fund(fund)
    _check_open(fund, booked_on)
    _check_no_overdraft(fund, amount, booked_on)
    number = allocate_vouchers(fund=fund, series=VoucherSeries.PAYMENT, year=booked_on.year)
    entry = LedgerEntry(
        fund=fund,
        account=account,
        kind=EntryKind.DISBURSEMENT,
        sign=-1,
        amount=amount,
        booked_on=booked_on,
        party_name=payee_name,
        party_kind=payee_kind,
        channel=channel,
        reference=reference,
        memo=memo,
        purpose=purpose,
        beneficiaries=beneficiaries,
        quantity=quantity,
        statement_line=statement_line,
        voucher_series=VoucherSeries.PAYMENT,
        voucher_year=booked_on.year,
        voucher_number=number,
    )
    entry = _create_entry(entry, actor=actor, action="ledger.disbursement")
    form_token_done(once, entry)
    return entry


@transaction.atomic
def transfer_send(
    *,
    actor,
    from_fund: Fund,
    to_fund: Fund,
    amount: int,
    sent_on: dt.date,
    purpose_text: str,
    purpose: str = "",
    form_token: str = "",
    returns: Transfer | None = None,
) -> Transfer:
    """Send money to another unit's fund: books the transfer_out now; the receiver confirms.

    ``purpose_text`` is the transfer's text (as on the bank order); ``purpose``
    what the money is for, as the report sentence says it after the amount
    ("xây dựng nhà Đại đoàn kết cho các hộ nghèo tỉnh Điện Biên"). ``returns``
    is set by transfer_return only.
    """
    require_perm(actor, Perm.EDIT, from_fund.unit, "chuyển tiền từ quỹ")
    once = (
        form_token_use(token=form_token, actor=actor, action="transfer.send")
        if form_token
        else None
    )
    _check_amount(amount)
    if from_fund.pk == to_fund.pk:
        raise UserFacingError("Không chuyển được trong cùng một quỹ.")
    if not purpose_text.strip():
        raise UserFacingError("Cần ghi nội dung chuyển tiền.")
    locked = lock_funds(from_fund, to_fund)[from_fund.pk]
    _check_open(locked, sent_on)
    _check_no_overdraft(locked, amount, sent_on)
    transfer = Transfer(
        from_fund=locked,
        to_fund=to_fund,
        amount=amount,
        sent_on=sent_on,
        purpose_text=nfc(purpose_text),
        purpose=nfc(purpose),
        returns=returns,
        sent_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    transfer.save()
    number = allocate_vouchers(fund=locked, series=VoucherSeries.PAYMENT, year=sent_on.year)
    entry = LedgerEntry(
        fund=locked,
        kind=EntryKind.TRANSFER_OUT,
        sign=-1,
        amount=amount,
        booked_on=sent_on,
        party_name=f"{to_fund.unit.name} – {to_fund.name}",
        party_kind=PartyKind.ORGANISATION,
        channel=Channel.BANK,
        memo=transfer.purpose_text,
        transfer=transfer,
        voucher_series=VoucherSeries.PAYMENT,
        voucher_year=sent_on.year,
        voucher_number=number,
    )
    _create_entry(entry, actor=actor, action="ledger.transfer_out")
    audit_record(
        actor=actor,
        action="transfer.send",
        obj=transfer,
        unit=from_fund.unit,
        after=snapshot(transfer),
    )
    form_token_done(once, transfer)
    return transfer


@transaction.atomic
def transfer_confirm(*, actor, transfer: Transfer, received_on: dt.date | None = None) -> Transfer:
    """The receiving unit confirms a transfer: books the transfer_in in its fund."""
    # Only the transfer row (a plain FOR UPDATE with select_related would lock both
    # funds too, in join order, and deadlock with transfers locking them in pk order).
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("to_fund__unit", "from_fund__unit")
        .get(pk=transfer.pk)
    )
    require_perm(actor, Perm.APPROVE, transfer.to_fund.unit, "xác nhận nhận tiền")
    if transfer.status == TransferStatus.CANCELLED:
        raise UserFacingError("Bên chuyển đã hủy khoản chuyển này; không xác nhận được.")
    if transfer.status != TransferStatus.PENDING:
        raise UserFacingError("Khoản chuyển này đã được xác nhận.")
    received_on = received_on or timezone.localdate()
    if received_on < transfer.sent_on:
        raise UserFacingError("Ngày nhận không được trước ngày chuyển.")
    before = snapshot(transfer)
    fund = lock_fund(transfer.to_fund)
    _check_open(fund, received_on)
    number = allocate_vouchers(fund=fund, series=VoucherSeries.RECEIPT, year=received_on.year)
    entry = LedgerEntry(
        fund=fund,
        kind=EntryKind.TRANSFER_IN,
        sign=1,
        amount=transfer.amount,
        booked_on=received_on,
        party_name=f"{transfer.from_fund.unit.name} – {transfer.from_fund.name}",
        party_kind=PartyKind.ORGANISATION,
        channel=Channel.BANK,
        memo=transfer.purpose_text,
        transfer=transfer,
        voucher_series=VoucherSeries.RECEIPT,
        voucher_year=received_on.year,
        voucher_number=number,
    )
    _create_entry(entry, actor=actor, action="ledger.transfer_in")
    transfer.status = TransferStatus.CONFIRMED
    transfer.received_on = received_on
    transfer.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
    transfer.save(update_fields=["status", "received_on", "confirmed_by"])
    audit_record(
        actor=actor,
        action="transfer.confirm",
        obj=transfer,
        unit=transfer.to_fund.unit,
        before=before,
        after=snapshot(transfer),
    )
    return transfer


def _transfer_locked(transfer: Transfer) -> Transfer:
    # Only the transfer row (see transfer_confirm).
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("to_fund__unit", "from_fund__unit")
        .get(pk=transfer.pk)
    )


@transaction.atomic
def transfer_cancel(
    *, actor, transfer: Transfer, reason: str, cancelled_on: dt.date | None = None
) -> Transfer:
    """The sender takes back a transfer the receiver has not confirmed yet.

    The transfer_out booked at sending is reversed (an entry of the opposite
    sign naming it; nothing is deleted) and the transfer is marked cancelled,
    with who, when and why, audited. A confirmed transfer cannot be cancelled:
    it is undone by a return transfer (transfer_return).
    """
    transfer = _transfer_locked(transfer)
    require_perm(actor, Perm.EDIT, transfer.from_fund.unit, "hủy khoản chuyển tiền")
    if transfer.status == TransferStatus.CONFIRMED:
        raise UserFacingError(
            "Bên nhận đã xác nhận khoản chuyển này; không hủy được. "
            "Nếu chuyển nhầm, bên nhận lập khoản chuyển trả lại."
        )
    if transfer.status == TransferStatus.CANCELLED:
        raise UserFacingError("Khoản chuyển này đã được hủy.")
    if not reason.strip():
        raise UserFacingError("Cần ghi lý do hủy khoản chuyển.")
    cancelled_on = cancelled_on or timezone.localdate()
    if cancelled_on < transfer.sent_on:
        raise UserFacingError("Ngày hủy không được trước ngày chuyển.")
    before = snapshot(transfer)
    fund = lock_fund(transfer.from_fund)
    _check_open(fund, cancelled_on)
    sent = LedgerEntry.objects.get(transfer=transfer, kind=EntryKind.TRANSFER_OUT)
    reversal = LedgerEntry(
        fund=fund,
        account=sent.account,
        kind=EntryKind.REVERSAL,
        sign=1,
        amount=sent.amount,
        booked_on=cancelled_on,
        party_name=sent.party_name,
        party_kind=sent.party_kind,
        channel=sent.channel,
        memo=f"Hủy khoản chuyển {sent.voucher_code or sent.pk}: {reason.strip()}",
        reverses=sent,
        transfer=transfer,
    )
    _create_entry(reversal, actor=actor, action="ledger.reverse", note=reason.strip())
    transfer.status = TransferStatus.CANCELLED
    transfer.cancelled_on = cancelled_on
    transfer.cancelled_by = actor if getattr(actor, "is_authenticated", False) else None
    transfer.cancel_reason = nfc(reason)
    transfer.save(update_fields=["status", "cancelled_on", "cancelled_by", "cancel_reason"])
    audit_record(
        actor=actor,
        action="transfer.cancel",
        obj=transfer,
        unit=transfer.from_fund.unit,
        before=before,
        after=snapshot(transfer),
        note=reason.strip(),
    )
    return transfer


@transaction.atomic
def transfer_return(
    *,
    actor,
    transfer: Transfer,
    reason: str,
    sent_on: dt.date | None = None,
    form_token: str = "",
) -> Transfer:
    """Undo a confirmed transfer that was a mistake: the receiver sends it back.

    A new transfer the other way for the same amount, linked to the first by
    `returns`; the original sender confirms it as any transfer. One return per
    transfer.
    """
    transfer = _transfer_locked(transfer)
    require_perm(actor, Perm.EDIT, transfer.to_fund.unit, "chuyển trả khoản đã nhận")
    if transfer.status != TransferStatus.CONFIRMED:
        raise UserFacingError(
            "Chỉ chuyển trả được khoản đã nhận; khoản chưa xác nhận thì bên chuyển hủy."
        )
    if transfer.returns_id is not None:
        raise UserFacingError("Đây là một khoản chuyển trả; không chuyển trả lại lần nữa.")
    if transfer.returned_by.exclude(status=TransferStatus.CANCELLED).exists():
        raise UserFacingError("Khoản chuyển này đã được chuyển trả.")
    if not reason.strip():
        raise UserFacingError("Cần ghi lý do chuyển trả.")
    sent_on = sent_on or timezone.localdate()
    if transfer.received_on and sent_on < transfer.received_on:
        raise UserFacingError("Ngày chuyển trả không được trước ngày đã nhận.")
    back = transfer_send(
        actor=actor,
        from_fund=transfer.to_fund,
        to_fund=transfer.from_fund,
        amount=transfer.amount,
        sent_on=sent_on,
        purpose_text=(
            f"Chuyển trả khoản chuyển ngày {format_date(transfer.sent_on)} "
            f"({format_money(transfer.amount)}): {reason.strip()}"
        )[:300],
        form_token=form_token,
        returns=transfer,
    )
    audit_record(
        actor=actor,
        action="transfer.return",
        obj=transfer,
        unit=transfer.to_fund.unit,
        after={"returned_by": back.pk},
        note=reason.strip(),
    )
    return back


@transaction.atomic
def entry_reverse(
    *, actor, entry: LedgerEntry, reason: str, booked_on: dt.date | None = None
) -> LedgerEntry:
    """Correct a mistake with an entry of the opposite sign that names the one it reverses."""
    entry = LedgerEntry.objects.select_related("fund__unit").get(pk=entry.pk)
    require_perm(actor, Perm.APPROVE, entry.fund.unit, "đảo bút toán")
    if not reason.strip():
        raise UserFacingError("Cần ghi lý do đảo bút toán.")
    if entry.kind == EntryKind.REVERSAL:
        raise UserFacingError("Không đảo được một bút toán đảo; hãy ghi lại bút toán đúng.")
    if entry.kind in (EntryKind.TRANSFER_OUT, EntryKind.TRANSFER_IN):
        raise UserFacingError(
            "Không đảo được bút toán điều chuyển giữa hai đơn vị; hãy lập khoản chuyển trả lại."
        )
    fund = lock_fund(entry.fund)
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise UserFacingError(f"Bút toán {entry.voucher_code or entry.pk} đã được đảo.")
    booked_on = booked_on or timezone.localdate()
    if booked_on < entry.booked_on:
        raise UserFacingError("Ngày đảo không được trước ngày của bút toán gốc.")
    if entry.sign > 0:  # reversing money in takes money out: must not overdraw
        _check_no_overdraft(fund, entry.amount, booked_on)
    label = entry.voucher_code or f"#{entry.pk}"
    reversal = LedgerEntry(
        fund=fund,
        account=entry.account,
        kind=EntryKind.REVERSAL,
        sign=-entry.sign,
        amount=entry.amount,
        booked_on=booked_on,
        party_name=entry.party_name,
        party_kind=entry.party_kind,
        channel=entry.channel,
        reference=entry.reference,
        memo=f"Đảo bút toán {label} ngày {format_date(entry.booked_on)}: {reason.strip()}",
        reverses=entry,
    )
    return _create_entry(reversal, actor=actor, action="ledger.reverse", note=reason.strip())


# ------------------------------------------------------------------- annotations

MAX_BULK = 5000  # entries one bulk identification may name at once


def _annotation_create(*, actor, entry: LedgerEntry, **fields) -> LedgerAnnotation:
    annotation = LedgerAnnotation(
        entry=entry,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    full_clean_or_raise(annotation, exclude=["entry", "created_by"], validate_constraints=False)
    annotation.save()
    hooks.entries_booked(annotation_ids=[annotation.pk])  # the public log, same transaction
    return annotation


def _donor_fields(donor_name: str, donor_kind: str) -> dict:
    name = " ".join(nfc(donor_name).split())
    if not name:
        raise UserFacingError("Cần nhập tên người ủng hộ.")
    if len(name) > 200:
        raise UserFacingError("Tên người ủng hộ dài quá 200 ký tự.")
    if donor_kind not in (PartyKind.PERSON, PartyKind.ORGANISATION):
        raise UserFacingError("Cần chọn người ủng hộ là cá nhân hay tổ chức.")
    return {
        "kind": AnnotationKind.IDENTIFY,
        "donor_name": name,
        "donor_kind": donor_kind,
        "name_key": f" {search_words(mask_personal(name))} "[:220],
    }


@transaction.atomic
def entry_identify_donor(
    *,
    actor,
    entry: LedgerEntry,
    donor_name: str,
    donor_kind: str = PartyKind.PERSON,
    note: str = "",
) -> LedgerAnnotation:
    """Name the donor of a receipt: an append-only annotation; the entry is not changed."""
    entry = LedgerEntry.objects.select_related("fund__unit").get(pk=entry.pk)
    require_perm(actor, Perm.EDIT, entry.fund.unit, "xác định người ủng hộ")
    if entry.kind != EntryKind.RECEIPT:
        raise UserFacingError("Chỉ xác định người ủng hộ cho một khoản thu.")
    annotation = _annotation_create(
        actor=actor, entry=entry, note=note.strip(), **_donor_fields(donor_name, donor_kind)
    )
    audit_record(
        actor=actor,
        action="ledger.identify",
        obj=annotation,
        unit=entry.fund.unit,
        after=snapshot(annotation),
        note=f"{entry.voucher_code or entry.pk}: {annotation.donor_name}",
    )
    return annotation


@transaction.atomic
def entries_identify_donor(
    *,
    actor,
    fund: Fund,
    entry_ids: list[int],
    donor_name: str,
    donor_kind: str = PartyKind.PERSON,
    confirmed: bool = False,
) -> int:
    """Name one donor for several receipts of a fund at once (after a confirmation step).

    `confirmed` must be True: the page shows the count and the total first.
    One annotation per entry, one audit event listing the entries.
    """
    require_perm(actor, Perm.EDIT, fund.unit, "xác định người ủng hộ")
    if not confirmed:
        raise UserFacingError("Cần xác nhận trước khi ghi cho nhiều khoản cùng lúc.")
    fields = _donor_fields(donor_name, donor_kind)
    ids = sorted(set(entry_ids))
    if not ids:
        raise UserFacingError("Chưa chọn khoản thu nào.")
    if len(ids) > MAX_BULK:
        raise UserFacingError(f"Mỗi lần chỉ ghi được cho tối đa {MAX_BULK} khoản.")
    entries = list(
        LedgerEntry.objects.filter(pk__in=ids, fund=fund, kind=EntryKind.RECEIPT).only("pk")
    )
    if len(entries) != len(ids):
        raise UserFacingError("Có khoản không phải khoản thu của quỹ này; không ghi khoản nào.")
    user = actor if getattr(actor, "is_authenticated", False) else None
    made = LedgerAnnotation.objects.bulk_create(
        [LedgerAnnotation(entry=e, created_by=user, **fields) for e in entries], batch_size=2000
    )
    hooks.entries_booked(annotation_ids=[a.pk for a in made])  # the public log
    audit_record(
        actor=actor,
        action="ledger.identify_bulk",
        obj=fund,
        unit=fund.unit,
        after={"donor_name": fields["donor_name"], "entries": ids},
        note=f"{len(ids)} khoản thu: {fields['donor_name']}",
    )
    return len(ids)


@transaction.atomic
def entry_classify(*, actor, entry: LedgerEntry, purpose: str, note: str = "") -> LedgerAnnotation:
    """Give the purpose of a payment booked "chưa phân loại": an append-only annotation."""
    entry = LedgerEntry.objects.select_related("fund__unit").get(pk=entry.pk)
    require_perm(actor, Perm.EDIT, entry.fund.unit, "phân loại khoản chi")
    if entry.kind != EntryKind.DISBURSEMENT:
        raise UserFacingError("Chỉ phân loại được một khoản chi.")
    if purpose not in Purpose.values or purpose == Purpose.UNCLASSIFIED:
        raise UserFacingError("Cần chọn mục đích chi.")
    annotation = _annotation_create(
        actor=actor, entry=entry, kind=AnnotationKind.CLASSIFY, purpose=purpose, note=note.strip()
    )
    audit_record(
        actor=actor,
        action="ledger.classify",
        obj=annotation,
        unit=entry.fund.unit,
        after=snapshot(annotation),
        note=f"{entry.voucher_code or entry.pk}: {annotation.get_purpose_display()}",
    )
    return annotation


# --------------------------------------------------------------- opening balance


@transaction.atomic
def account_opening_record(
    *, actor, account: FundAccount, amount: int, booked_on: dt.date, note: str = ""
) -> LedgerEntry:
    """The bank account's balance when the book starts (entered once, or from a statement).

    Booked as one "số dư đầu kỳ" entry of the account, on the first day of the
    book: from then on the fund's balance on that account can equal the bank's.
    A second one is refused (the database allows one per account); a mistake
    is corrected by a reversal.
    """
    fund = account.fund
    require_perm(actor, Perm.EDIT, fund.unit, "ghi số dư đầu kỳ")
    _check_amount(amount)
    fund = lock_fund(fund)
    _check_open(fund, booked_on)
    if LedgerEntry.objects.filter(account=account, kind=EntryKind.OPENING).exists():
        raise UserFacingError(f"Tài khoản {account} đã có số dư đầu kỳ.")
    if LedgerEntry.objects.filter(account=account, booked_on__lt=booked_on).exists():
        raise UserFacingError(
            f"Tài khoản {account} đã có bút toán trước ngày {format_date(booked_on)}: "
            "số dư đầu kỳ phải là ngày đầu tiên của sổ."
        )
    entry = LedgerEntry(
        fund=fund,
        account=account,
        kind=EntryKind.OPENING,
        sign=1,
        amount=amount,
        booked_on=booked_on,
        party_name="",
        channel=Channel.BANK if account.kind == AccountKind.BANK else Channel.CASH,
        memo=note or f"Số dư đầu kỳ tài khoản {account}",
    )
    return _create_entry(entry, actor=actor, action="ledger.opening")
