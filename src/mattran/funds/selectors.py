"""Reads of funds and the ledger, always starting from what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils import timezone

from mattran.access.policy import Perm, policy_for
from mattran.core.periods import Period
from mattran.units.models import Unit

from .models import (
    AnnotationKind,
    EntryKind,
    Fund,
    FundKind,
    LedgerAnnotation,
    LedgerEntry,
    Purpose,
    StatementImport,
    Transfer,
    TransferStatus,
)

SIGNED = F("amount") * F("sign")


# ------------------------------------------------------------------------ funds


def fund_list_visible(*, user, unit: Unit | None = None, subtree: bool = True) -> QuerySet[Fund]:
    qs = Fund.objects.filter(policy_for(user).unit_q(Perm.VIEW, prefix="unit__"))
    if unit is not None:
        qs = qs.filter(Unit.subtree_q(unit.path, "unit__") if subtree else Q(unit=unit))
    return qs.select_related("unit", "unit__version").order_by("unit__path", "kind", "name")


def fund_list_with_balances(*, user, unit: Unit | None = None) -> list[Fund]:
    """Visible funds, each with `.balance` (one grouped query)."""
    funds = fund_list_visible(user=user, unit=unit).annotate(
        balance=Sum(F("entries__amount") * F("entries__sign"), default=0)
    )
    return list(funds)


def fund_get_visible(*, user, pk: int, perm: str = Perm.VIEW) -> Fund:
    fund = (
        Fund.objects.filter(policy_for(user).unit_q(perm, prefix="unit__"), pk=pk)
        .select_related("unit", "unit__version")
        .first()
    )
    if fund is None:
        raise Http404("Không tìm thấy quỹ")
    return fund


def fund_balance(*, fund: Fund, on: dt.date | None = None) -> int:
    """Balance at the end of `on` (default: everything booked), one aggregate query."""
    qs = LedgerEntry.objects.filter(fund=fund)
    if on is not None:
        qs = qs.filter(booked_on__lte=on)
    return qs.aggregate(s=Sum(SIGNED))["s"] or 0


def fund_latest_year(*, fund: Fund, today: dt.date | None = None) -> int:
    """The year a fund's pages open on: its latest booking's, else this year (or its closing)."""
    today = today or timezone.localdate()
    latest = fund.entries.filter(booked_on__lte=today).aggregate(d=Max("booked_on"))["d"]
    if latest:
        return latest.year
    if fund.closed_on:
        return fund.closed_on.year
    return max(today.year, fund.opened_on.year)


def entry_get_visible(*, user, pk: int, perm: str = Perm.VIEW) -> LedgerEntry:
    entry = (
        LedgerEntry.objects.filter(policy_for(user).unit_q(perm, prefix="fund__unit__"), pk=pk)
        .select_related("fund", "fund__unit", "account", "reverses", "created_by", "transfer")
        .first()
    )
    if entry is None:
        raise Http404("Không tìm thấy bút toán")
    return entry


@dataclass
class FundBook:
    """Sổ quỹ for a period: opening balance, entries with running balance, closing balance."""

    fund: Fund
    period: Period
    opening: int
    total_in: int
    total_out: int
    entries: QuerySet[LedgerEntry]  # annotated with `running` (balance after the entry)

    @property
    def closing(self) -> int:
        return self.opening + self.total_in - self.total_out


def fund_book(*, fund: Fund, period: Period) -> FundBook:
    """The fund book for a period; `entries` is lazy (paginate it), running balance by window."""
    before = fund_balance(fund=fund, on=period.start - dt.timedelta(days=1))
    in_period = LedgerEntry.objects.filter(
        fund=fund, booked_on__gte=period.start, booked_on__lte=period.end
    )
    # an account's opening balance booked in the period is part of the opening, not money in
    totals = in_period.aggregate(
        total_in=Sum("amount", filter=Q(sign=1) & ~Q(kind=EntryKind.OPENING), default=0),
        total_out=Sum("amount", filter=Q(sign=-1), default=0),
        opened=Sum("amount", filter=Q(kind=EntryKind.OPENING), default=0),
    )
    opening = before + totals["opened"]
    entries = (
        with_annotations(in_period)
        .annotate(
            running=Window(Sum(SIGNED), order_by=[F("booked_on").asc(), F("id").asc()]) + before
        )
        .select_related("reverses", "transfer", "account")
        .order_by("booked_on", "id")
    )
    return FundBook(
        fund=fund,
        period=period,
        opening=opening,
        total_in=totals["total_in"],
        total_out=totals["total_out"],
        entries=entries,
    )


# -------------------------------------------------------------------- transfers


def transfer_list_visible(*, user, unit: Unit | None = None) -> QuerySet[Transfer]:
    """Transfers the user may see from either side (sender's or receiver's unit)."""
    policy = policy_for(user)
    qs = Transfer.objects.filter(
        policy.unit_q(Perm.VIEW, prefix="from_fund__unit__")
        | policy.unit_q(Perm.VIEW, prefix="to_fund__unit__")
    )
    if unit is not None:
        qs = qs.filter(
            Unit.subtree_q(unit.path, "from_fund__unit__")
            | Unit.subtree_q(unit.path, "to_fund__unit__")
        )
    return qs.select_related("from_fund__unit", "to_fund__unit", "returns").order_by(
        "-sent_on", "-id"
    )


def transfer_purposes(*, user, unit: Unit, period) -> list[str]:
    """What the unit's subtree sent out of it in the period was for (Transfer.purpose,
    else its text), in the order sent, each once; the words after the amount in
    "ủng hộ Thành phố 200.000.000 đồng xây dựng nhà Đại đoàn kết cho …". Leaves out
    cancelled transfers, returns and transfers that were returned."""
    live = [TransferStatus.PENDING, TransferStatus.CONFIRMED]
    rows = (
        transfer_list_visible(user=user)
        .filter(
            Unit.subtree_q(unit.path, "from_fund__unit__"),
            sent_on__gte=period.start,
            sent_on__lte=period.end,
            status__in=live,
            returns__isnull=True,
        )
        .exclude(Unit.subtree_q(unit.path, "to_fund__unit__"))
        .exclude(returned_by__status__in=live)
        .order_by("sent_on", "pk")
    )
    said: dict[str, None] = {}
    for purpose, text in rows.values_list("purpose", "purpose_text"):
        said.setdefault(purpose or text, None)
    return list(said)


def transfers_returned(*, transfers: list[Transfer]) -> set[int]:
    """Which of these transfers have a return transfer (not cancelled): one query."""
    return set(
        Transfer.objects.filter(returns__in=[t.pk for t in transfers])
        .exclude(status=TransferStatus.CANCELLED)
        .values_list("returns_id", flat=True)
    )


def transfer_get_visible(*, user, pk: int) -> Transfer:
    transfer = transfer_list_visible(user=user).filter(pk=pk).first()
    if transfer is None:
        raise Http404("Không tìm thấy khoản điều chuyển")
    return transfer


# --------------------------------------------------------------- statement import


def statement_import_get_visible(*, user, pk: int) -> StatementImport:
    found = (
        StatementImport.objects.filter(
            policy_for(user).unit_q(Perm.VIEW, prefix="account__fund__unit__"), pk=pk
        )
        .select_related("account__fund__unit", "job")
        .first()
    )
    if found is None:
        raise Http404("Không tìm thấy lần nhập sao kê")
    return found


def _latest_annotation(kind: str, field: str) -> Subquery:
    return Subquery(
        LedgerAnnotation.objects.filter(entry=OuterRef("pk"), kind=kind)
        .order_by("-id")
        .values(field)[:1]
    )


def with_donor(qs: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
    """Entries with `donor`: the newest identifying annotation's name, else the entry's own
    ("" when nobody has named the donor: shown as UNKNOWN_DONOR)."""
    return qs.annotate(
        donor=Coalesce(
            _latest_annotation(AnnotationKind.IDENTIFY, "donor_name"),
            F("party_name"),
        )
    )


def with_annotations(qs: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
    """Entries with `donor` and `effective_purpose`: the newest annotation, else the entry's own."""
    return with_donor(qs).annotate(
        effective_purpose=Coalesce(
            _latest_annotation(AnnotationKind.CLASSIFY, "purpose"),
            NullIf(F("purpose"), Value("")),
            Value(""),
        ),
    )


def _words_q(query: str) -> Q:
    from .services import search_words

    q = Q()
    for word in search_words(query).split():
        q &= Q(search_key__contains=f" {word}")
    return q


def unidentified_receipts_visible(
    *, user, fund: Fund | None = None, query: str = "", amount: int | None = None
) -> QuerySet[LedgerEntry]:
    """The work list "chưa xác định người ủng hộ": imported receipts booked without a
    donor name that no annotation has named yet, oldest first; `query` searches
    words of the memo (folded, word starts), `amount` the exact amount."""
    identified = LedgerAnnotation.objects.filter(entry=OuterRef("pk"), kind=AnnotationKind.IDENTIFY)
    qs = LedgerEntry.objects.filter(
        policy_for(user).unit_q(Perm.VIEW, prefix="fund__unit__"),
        kind=EntryKind.RECEIPT,
        party_name="",
        statement_line__isnull=False,
    ).filter(~Exists(identified))
    if fund is not None:
        qs = qs.filter(fund=fund)
    if query.strip():
        qs = qs.filter(_words_q(query))
    if amount:
        qs = qs.filter(amount=amount)
    return qs.select_related("fund", "statement_line").order_by("booked_on", "id")


def unclassified_payments_visible(*, user, fund: Fund | None = None) -> QuerySet[LedgerEntry]:
    """Payments booked "chưa phân loại" at import that no annotation has classified yet."""
    classified = LedgerAnnotation.objects.filter(entry=OuterRef("pk"), kind=AnnotationKind.CLASSIFY)
    qs = LedgerEntry.objects.filter(
        policy_for(user).unit_q(Perm.VIEW, prefix="fund__unit__"),
        kind=EntryKind.DISBURSEMENT,
        purpose=Purpose.UNCLASSIFIED,
    ).filter(~Exists(classified))
    if fund is not None:
        qs = qs.filter(fund=fund)
    return qs.select_related("fund").order_by("booked_on", "id")


# --------------------------------------------------------- figures for reports


def fund_figures(*, user=None, unit: Unit, period: Period, subtree: bool = True) -> dict[str, Any]:
    """The funds section of a period report for a unit (and its subtree), in two queries.

    `user=None` is for trusted callers that already checked access (the report
    engine, the public disclosure page); with a user, a unit they may not see
    raises Http404. Reversals are netted against the entry they reverse (its
    kind, purpose and quantity). Returns::

        {
          "unit": Unit, "period": Period, "subtree": bool,
          "mobilised": {fund_kind: đồng},              # receipts, net of reversals
          "mobilised_total": đồng,
          "disbursed": {fund_kind: {"total": đồng,
                        "by_purpose": {purpose: {"amount": đồng, "quantity": int, "count": int}}}},
          "disbursed_total": đồng,
          "transfers_out": [{"from_unit", "to_unit", "from_fund", "to_fund", "fund_kind",
                             "amount", "sent_on", "status", "purpose_text", "internal"}],
          "transfers_in":  [... same keys ...],
          "transfers_out_total": đồng,   # to units outside the subtree
          "transfers_in_total": đồng,    # confirmed, from units outside the subtree
          "labels": {"fund_kind": {...}, "purpose": {...}},
        }
    """
    if user is not None and not policy_for(user).can(Perm.VIEW, unit):
        raise Http404("Không tìm thấy đơn vị")
    scope = Unit.subtree_q(unit.path, "fund__unit__") if subtree else Q(fund__unit=unit)
    rows = (
        LedgerEntry.objects.filter(
            scope,
            booked_on__gte=period.start,
            booked_on__lte=period.end,
            kind__in=[EntryKind.RECEIPT, EntryKind.DISBURSEMENT, EntryKind.REVERSAL],
        )
        .values("fund__kind", "kind", "purpose", "reverses__kind", "reverses__purpose")
        .annotate(
            amount=Sum("amount"),
            quantity=Sum("quantity"),
            reversed_quantity=Sum("reverses__quantity"),
            n=Count("id"),
        )
        .order_by()
    )
    mobilised: dict[str, int] = defaultdict(int)
    disbursed: dict[str, dict[str, Any]] = {}
    for row in rows:
        kind, fund_kind = row["kind"], row["fund__kind"]
        factor, quantity, count = 1, row["quantity"] or 0, row["n"]
        if kind == EntryKind.REVERSAL:
            kind, factor = row["reverses__kind"], -1
            quantity, count = row["reversed_quantity"] or 0, -row["n"]
            purpose = row["reverses__purpose"]
        else:
            purpose = row["purpose"]
        if kind == EntryKind.RECEIPT:
            mobilised[fund_kind] += factor * row["amount"]
        elif kind == EntryKind.DISBURSEMENT:
            bucket = disbursed.setdefault(fund_kind, {"total": 0, "by_purpose": {}})
            bucket["total"] += factor * row["amount"]
            item = bucket["by_purpose"].setdefault(
                purpose, {"amount": 0, "quantity": 0, "count": 0}
            )
            item["amount"] += factor * row["amount"]
            item["quantity"] += factor * quantity
            item["count"] += count
    # transfers, both directions, one query
    out_scope = (
        Unit.subtree_q(unit.path, "from_fund__unit__") if subtree else Q(from_fund__unit=unit)
    )
    in_scope = Unit.subtree_q(unit.path, "to_fund__unit__") if subtree else Q(to_fund__unit=unit)
    transfers = (
        Transfer.objects.filter(out_scope | in_scope)
        .exclude(status=TransferStatus.CANCELLED)  # taken back by the sender: no money moved
        .filter(
            Q(sent_on__gte=period.start, sent_on__lte=period.end)
            | Q(received_on__gte=period.start, received_on__lte=period.end)
        )
        .values(
            "pk",
            "amount",
            "sent_on",
            "received_on",
            "status",
            "purpose_text",
            "purpose",
            "returns_id",
            "from_fund__name",
            "from_fund__kind",
            "from_fund__unit__name",
            "from_fund__unit__path",
            "to_fund__name",
            "to_fund__unit__name",
            "to_fund__unit__path",
        )
        .order_by("sent_on", "pk")
    )

    def inside(path: str) -> bool:
        return path.startswith(unit.path) if subtree else path == unit.path

    transfers_out, transfers_in = [], []
    for t in transfers:
        item = {
            "from_unit": t["from_fund__unit__name"],
            "to_unit": t["to_fund__unit__name"],
            "from_fund": t["from_fund__name"],
            "to_fund": t["to_fund__name"],
            "fund_kind": t["from_fund__kind"],
            "amount": t["amount"],
            "sent_on": t["sent_on"],
            "received_on": t["received_on"],
            "status": t["status"],
            "purpose_text": t["purpose_text"],
            "purpose": t["purpose"],  # the words after the amount in the report sentence
            "returns": t["returns_id"],  # a return of that transfer (a mistake undone)
            "internal": inside(t["from_fund__unit__path"]) and inside(t["to_fund__unit__path"]),
        }
        if inside(t["from_fund__unit__path"]) and period.contains(t["sent_on"]):
            transfers_out.append(item)
        if (
            inside(t["to_fund__unit__path"])
            and t["status"] == TransferStatus.CONFIRMED
            and period.contains(t["received_on"])
        ):
            transfers_in.append(item)
    return {
        "unit": unit,
        "period": period,
        "subtree": subtree,
        "mobilised": dict(mobilised),
        "mobilised_total": sum(mobilised.values()),
        "disbursed": disbursed,
        "disbursed_total": sum(b["total"] for b in disbursed.values()),
        "transfers_out": transfers_out,
        "transfers_in": transfers_in,
        "transfers_out_total": sum(t["amount"] for t in transfers_out if not t["internal"]),
        "transfers_in_total": sum(t["amount"] for t in transfers_in if not t["internal"]),
        "labels": {"fund_kind": dict(FundKind.choices), "purpose": dict(Purpose.choices)},
    }


# ------------------------------------------------------------------ fund = bank


@dataclass
class BankDay:
    day: dt.date
    fund_in: int
    fund_out: int
    fund_closing: int
    bank_closing: int | None  # the statement's day-end balance, when it prints one

    @property
    def difference(self) -> int | None:
        return None if self.bank_closing is None else self.fund_closing - self.bank_closing


@dataclass
class AccountReconciliation:
    account: Any
    opening: int | None  # the "số dư đầu kỳ" entry of the account, if any
    days: list[BankDay]

    @property
    def first_difference(self) -> BankDay | None:
        return next((d for d in self.days if d.difference), None)

    @property
    def checked_days(self) -> int:
        return sum(1 for d in self.days if d.bank_closing is not None)


def account_reconciliation(*, account) -> AccountReconciliation:
    """Per day: the fund's closing balance on a bank account beside the bank's (two queries).

    The fund's side sums every ledger entry of the account (opening balance,
    receipts and payments booked from statements or by hand, reversals); the
    bank's side is the balance the statement prints on the day's last line
    that has one (the newest import wins when files overlap).
    """
    from django.db.models import Max

    from .models import StatementLine

    fund_days = (
        LedgerEntry.objects.filter(account=account)
        .values("booked_on")
        .annotate(
            money_in=Sum("amount", filter=Q(sign=1) & ~Q(kind=EntryKind.OPENING), default=0),
            money_out=Sum("amount", filter=Q(sign=-1), default=0),
            opening=Sum("amount", filter=Q(kind=EntryKind.OPENING), default=0),
        )
        .order_by("booked_on")
    )
    last_lines = (
        StatementLine.objects.filter(account=account, balance__isnull=False)
        .values("booked_on")
        .annotate(last=Max("id"))
        .values("last")
    )
    bank = dict(
        StatementLine.objects.filter(pk__in=Subquery(last_lines)).values_list(
            "booked_on", "balance"
        )
    )
    rows: dict[dt.date, dict[str, int]] = {}
    opening_total = 0
    for r in fund_days:
        rows[r["booked_on"]] = r
        opening_total += r["opening"]
    days, running = [], 0
    for day in sorted(set(rows) | set(bank)):
        r = rows.get(day, {"money_in": 0, "money_out": 0, "opening": 0})
        running += r["opening"] + r["money_in"] - r["money_out"]
        days.append(
            BankDay(
                day=day,
                fund_in=r["money_in"],
                fund_out=r["money_out"],
                fund_closing=running,
                bank_closing=bank.get(day),
            )
        )
    return AccountReconciliation(
        account=account, opening=opening_total if opening_total else None, days=days
    )
