"""Public reads of the ledger (no login): donation lookup and fund disclosure.

Only funds marked public are shown. Every free text shown (donor names, memos,
transfer purposes) goes through the one masking function, mask_personal
(account and phone numbers, Decree 13/2023); account numbers and raw
references are never returned. The name search runs on `LedgerEntry.search_key`, built from
the folded donor name and the *masked* memo, so diacritics, case, đ/d and
either tone-mark placement ("Hoà"/"Hòa") do not matter. On PostgreSQL a GIN
index on the entries' word pairs (`search_terms`, funds migration 0004) finds
the candidate rows; the LIKE on the key keeps the exact semantics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from mattran.core.periods import Period
from mattran.core.vietnamese import fold, mask_personal
from mattran.funds.models import EntryKind, Fund, FundKind, LedgerEntry, Purpose, TransferStatus
from mattran.funds.models import Transfer as FundTransfer
from mattran.funds.services import search_words

MIN_NAME = 3
MAX_RESULTS = 50


@dataclass(frozen=True)
class DonationQuery:
    name: str = ""
    amount: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    reference: str = ""
    fund_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.amount or self.reference)

    def cache_key(self) -> str:
        return "|".join(
            str(x)
            for x in (
                fold(self.name),
                self.amount,
                self.date_from,
                self.date_to,
                self.reference.strip(),
                self.fund_id,
            )
        )


def public_funds() -> QuerySet[Fund]:
    return (
        Fund.objects.filter(is_public=True)
        .select_related("unit", "unit__parent")
        .order_by("unit__path", "kind", "name")
    )


def search_tsquery(key: str) -> str:
    """The tsquery that finds a typed phrase in `search_terms`: its word pairs, the last a prefix.

    "nguyen van an" → 'nguyen_van' & 'van_an':*  ;  "hoa" → 'hoa':*  (words are [a-z0-9]+).
    Every row whose search key holds the phrase at a word start matches it;
    the LIKE on the key then removes the few others.
    """
    words = key.split()
    if len(words) == 1:
        return f"'{words[0]}':*"
    pairs = [f"'{a}_{b}'" for a, b in zip(words[:-1], words[1:], strict=True)]
    pairs[-1] += ":*"
    return " & ".join(pairs)


def donation_queryset(*, query: DonationQuery) -> QuerySet[LedgerEntry]:
    """Public receipts matching the query, newest first (empty query: none)."""
    qs = LedgerEntry.objects.filter(kind=EntryKind.RECEIPT, fund__is_public=True)
    if query.is_empty:
        return qs.none()
    key = search_words(query.name)
    if key:
        if len(key) < MIN_NAME:
            return qs.none()
        if connection.vendor == "postgresql":
            # the GIN index on search_terms finds the rows (see funds migration 0004)
            qs = qs.extra(  # noqa: S610 - the query is a bound parameter
                where=["funds_ledgerentry.search_terms @@ %s::tsquery"],
                params=[search_tsquery(key)],
            )
        qs = qs.filter(search_key__contains=f" {key}")  # words starting as typed
    if query.amount:
        qs = qs.filter(amount=query.amount)
    if query.date_from:
        qs = qs.filter(booked_on__gte=query.date_from)
    if query.date_to:
        qs = qs.filter(booked_on__lte=query.date_to)
    if query.reference.strip():
        qs = qs.filter(reference=query.reference.strip())
    if query.fund_id:
        qs = qs.filter(fund_id=query.fund_id)
    return qs.order_by("-booked_on", "-id")


def donation_search(*, query: DonationQuery, limit: int = MAX_RESULTS) -> list[dict[str, Any]]:
    """Receipts matching the query, newest first, as public rows (masked memo, no numbers)."""
    if query.is_empty:
        return []
    qs = donation_queryset(query=query)
    rows = qs.values(
        "id",
        "booked_on",
        "amount",
        "party_name",
        "memo",
        "fund_id",
        "fund__name",
        "fund__unit__name",
        "voucher_series",
        "voucher_year",
        "voucher_number",
        "reversed_by",
    )[:limit]
    return [
        {
            "booked_on": r["booked_on"],
            "amount": r["amount"],
            "donor": mask_personal(r["party_name"]),
            "memo": mask_personal(r["memo"]),
            "fund_id": r["fund_id"],
            "fund": r["fund__name"],
            "unit": r["fund__unit__name"],
            "voucher": (
                f"{r['voucher_series']}-{r['voucher_year']}-{r['voucher_number']:04d}"
                if r["voucher_number"]
                else ""
            ),
            "reversed": r["reversed_by"] is not None,
        }
        for r in rows
    ]


def fund_disclosure(*, fund: Fund, period: Period) -> dict[str, Any]:
    """Money in, out by purpose, transfers, balances and a monthly series for one fund.

    Three queries: opening balance, grouped movements per month, transfers.
    Reversals are netted against the entry they reverse.
    """
    signed = F("amount") * F("sign")
    opening = (
        LedgerEntry.objects.filter(fund=fund, booked_on__lt=period.start).aggregate(s=Sum(signed))[
            "s"
        ]
        or 0
    )
    rows = (
        LedgerEntry.objects.filter(
            fund=fund, booked_on__gte=period.start, booked_on__lte=period.end
        )
        .annotate(month=TruncMonth("booked_on"))
        .values("month", "kind", "purpose", "reverses__kind", "reverses__purpose")
        .annotate(
            amount=Sum("amount"),
            quantity=Sum("quantity"),
            rq=Sum("reverses__quantity"),
            n=Count("id"),
        )
        .order_by("month")
    )
    money_in = 0
    donations = 0
    transfers_in = 0
    transfers_out = 0
    by_purpose: dict[str, dict[str, int]] = {}
    months: dict[str, dict[str, int]] = {}
    for r in rows:
        kind, factor, purpose, quantity = r["kind"], 1, r["purpose"], r["quantity"] or 0
        if kind == EntryKind.REVERSAL:
            kind, factor, purpose, quantity = (
                r["reverses__kind"],
                -1,
                r["reverses__purpose"],
                r["rq"] or 0,
            )
        amount = factor * r["amount"]
        label = r["month"].strftime("%m/%Y") if r["month"] else ""
        month = months.setdefault(label, {"in": 0, "out": 0})
        if kind in (EntryKind.RECEIPT, EntryKind.TRANSFER_IN):
            money_in += amount
            month["in"] += amount
            if kind == EntryKind.RECEIPT:
                donations += factor * r["n"]
            else:
                transfers_in += amount
        else:
            month["out"] += amount
            if kind == EntryKind.TRANSFER_OUT:
                transfers_out += amount
            else:
                item = by_purpose.setdefault(purpose, {"amount": 0, "quantity": 0})
                item["amount"] += amount
                item["quantity"] += factor * quantity
    money_out = transfers_out + sum(p["amount"] for p in by_purpose.values())
    transfers = list(
        FundTransfer.objects.filter(Q(from_fund=fund) | Q(to_fund=fund))
        .filter(
            Q(sent_on__gte=period.start, sent_on__lte=period.end)
            | Q(received_on__gte=period.start, received_on__lte=period.end)
        )
        .select_related("from_fund__unit", "to_fund__unit")
        .order_by("sent_on", "pk")
    )
    purposes = dict(Purpose.choices)
    return {
        "fund": fund,
        "period": period,
        "opening": opening,
        "money_in": money_in,
        "donations": donations,
        "transfers_in": transfers_in,
        "money_out": money_out,
        "transfers_out": transfers_out,
        "closing": opening + money_in - money_out,
        "by_purpose": [
            {"purpose": purposes.get(k, k), "amount": v["amount"], "quantity": v["quantity"]}
            for k, v in sorted(by_purpose.items(), key=lambda kv: -kv[1]["amount"])
        ],
        "transfers": [
            {
                "outgoing": t.from_fund_id == fund.pk,
                "other_unit": (t.to_fund if t.from_fund_id == fund.pk else t.from_fund).unit.name,
                "other_fund": (t.to_fund if t.from_fund_id == fund.pk else t.from_fund).name,
                "amount": t.amount,
                "sent_on": t.sent_on,
                "received_on": t.received_on,
                "confirmed": t.status == TransferStatus.CONFIRMED,
                "purpose_text": mask_personal(t.purpose_text),
            }
            for t in transfers
        ],
        "chart": {
            "labels": list(months),
            "in": [m["in"] for m in months.values()],
            "out": [m["out"] for m in months.values()],
        },
        "kind_label": dict(FundKind.choices).get(fund.kind, fund.kind),
    }


def public_ledger_rows(*, fund: Fund, period: Period):
    """Every entry of the period for the CSV download, streamed in id order."""
    return (
        LedgerEntry.objects.filter(
            fund=fund, booked_on__gte=period.start, booked_on__lte=period.end
        )
        .order_by("booked_on", "id")
        .values_list(
            "booked_on",
            "voucher_series",
            "voucher_year",
            "voucher_number",
            "kind",
            "party_name",
            "memo",
            "purpose",
            "quantity",
            "sign",
            "amount",
        )
        .iterator(chunk_size=2000)
    )
