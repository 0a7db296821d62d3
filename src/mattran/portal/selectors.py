"""Public reads of the ledger (no login): donation lookup and fund disclosure.

Only funds marked public are shown. Every free text shown (donor names, memos,
transfer purposes) goes through the one masking function, mask_personal
(account and phone numbers, Decree 13/2023); account numbers and raw
references are never returned.

The lookup finds receipts (every credit of an imported statement is one, named
or "người ủng hộ chưa xác định") by words of the donor name or of the memo,
amount, date range, bank reference, or any combination. Words are folded
(case, diacritics, đ/d, both tone placements, NFD input: `search_words`) and
match at word starts, in any order: "ngu" finds "Nguyễn", "hoa" finds "Hoà" but
not "Khoa". Words of 1–2 characters match whole words and only next to a
longer word, an amount or a reference; a query that folds to nothing finds
nothing. A donor named later (LedgerAnnotation) is found by that name too.
Several words of letters are read as a phrase first: when receipts have them
adjacent and in the order typed ("pham thi ha huong", the last word a word
start), those are the result; otherwise every receipt having all the words
anywhere ("huong pham" finds "Phạm Thị Hà Hương").

How (see funds.models.LookupTerm): on PostgreSQL one word (or one adjacent
word pair of a phrase, funds migration 0013) drives, the rarest one by its
posting lists' counts: its posting rows in the byte-ordered index
(term, booked_on DESC) give the newest days first, each day's receipt ids
newest first, the other conditions are checked on those rows only, and
reading stops after one page.
Without a word, the (amount, booked_on DESC, id DESC) index or the reference
index drives. SQLite runs the same conditions as LIKE on `search_key`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth

from mattran.core.periods import Period
from mattran.core.vietnamese import mask_personal
from mattran.funds.models import (
    UNKNOWN_DONOR,
    AccountKind,
    AnnotationKind,
    EntryKind,
    Fund,
    FundKind,
    LedgerAnnotation,
    LedgerEntry,
    Purpose,
    StatementLine,
    TransferStatus,
)
from mattran.funds.models import Transfer as FundTransfer
from mattran.funds.selectors import with_annotations, with_donor
from mattran.funds.services import search_words

MIN_NAME = 3  # characters of at least one word (or an amount, or a reference)
PER_PAGE = 50
MAX_RESULTS = PER_PAGE  # kept for callers of the first page
MAX_PAGE = 200  # deeper pages: narrow the search instead


@dataclass(frozen=True)
class DonationQuery:
    name: str = ""  # words of the donor name or of the memo
    amount: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    reference: str = ""
    fund_id: int | None = None

    @property
    def words(self) -> list[str]:
        return search_words(self.name).split()

    @property
    def is_empty(self) -> bool:
        return not (self.name.strip() or self.amount or self.reference.strip())

    @property
    def is_searchable(self) -> bool:
        """A word of 3+ characters, an amount or a reference; never a text folding to nothing."""
        words = self.words
        if self.name.strip() and not words:
            return False  # "." or "!!!": nothing to look for
        return any(len(w) >= MIN_NAME for w in words) or bool(self.amount or self.reference.strip())

    def cache_key(self) -> str:
        return "|".join(
            str(x)
            for x in (
                " ".join(self.words),
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


def _pattern(word: str) -> str:
    """LIKE pattern of a word in a padded key: a word start (3+ characters) or a whole word."""
    return f"% {word}%" if len(word) >= MIN_NAME else f"% {word} %"


def _needle(words: list[str]) -> str:
    """A word (or a phrase: words adjacent, in order) in a padded key: the last word a word
    start (3+ characters) or a whole word (1–2), the others whole words."""
    return f" {' '.join(words)}" + ("" if len(words[-1]) >= MIN_NAME else " ")


def _word_q(word: str) -> Q:
    return _text_q(_needle([word]))


def _text_q(needle: str) -> Q:
    named = LedgerAnnotation.objects.filter(
        entry=OuterRef("pk"), kind=AnnotationKind.IDENTIFY, name_key__contains=needle
    )
    return Q(search_key__contains=needle) | Q(Exists(named))


def donation_queryset(*, query: DonationQuery) -> QuerySet[LedgerEntry]:
    """Public receipts matching the query, newest first (ORM form, any database)."""
    qs = LedgerEntry.objects.filter(kind=EntryKind.RECEIPT, fund__is_public=True)
    if query.is_empty or not query.is_searchable:
        return qs.none()
    words = query.words
    # several words: the lines having them as a phrase if there are any (as _pg_plans)
    phrase = qs.filter(_text_q(_needle(words))) if PHRASE and _is_phrase(words) else None
    if phrase is not None and _filtered(phrase, query).exists():
        return _filtered(phrase, query).order_by("-booked_on", "-id")
    for word in words:
        qs = qs.filter(_word_q(word))
    return _filtered(qs, query).order_by("-booked_on", "-id")


def _filtered(qs: QuerySet[LedgerEntry], query: DonationQuery) -> QuerySet[LedgerEntry]:
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
    return qs


def _term_range(word: str) -> tuple[str, str]:
    return word, word + "{"  # "{" follows "z" (terms are [a-z0-9]+, compared bytewise)


def _is_phrase(words: list[str]) -> bool:
    """Several words, all of letters: the lookup reads them as a phrase first."""
    return len(words) > 1 and all(w.isascii() and w.isalpha() for w in words)


def _pair_ranges(words: list[str]) -> dict[str, tuple[str, str]]:
    """The term ranges of a phrase's adjacent pairs (funds migration 0013: "~first second").

    Every word but the last is a whole word; the last is a word start (3+ characters) or a
    whole word (1–2), as everywhere in the lookup."""
    ranges = {}
    for i in range(len(words) - 1):
        term = f"~{words[i]} {words[i + 1]}"
        prefix = i == len(words) - 2 and len(words[-1]) >= MIN_NAME
        # " " sorts before every letter: [term, term + " ") holds the term alone
        ranges[term] = (term, term + ("{" if prefix else " "))
    return ranges


def _phrase_pattern(words: list[str]) -> str:
    """LIKE pattern of the phrase in a padded key (_needle)."""
    return f"%{_needle(words)}%"


PROBE_ROWS = 2000  # posting rows of a word counted (from the index alone) to judge its size
SMALL = 50_000  # receipts: a word this rare is read whole and intersected, not walked by day
# A posting read and hashed costs ~0.1 µs, a candidate checked on its ledger row ~10 µs: a
# rare range's list is intersected with the rarest only if it is at most ~50 times longer.
READ_RATIO = 50


def _term_sizes(ranges: dict[str, tuple[str, str]]) -> dict[str, int]:
    """Receipts per term range (a word of 3+ characters, or a pair; a prefix: all its terms),
    counted in its first PROBE_ROWS posting rows from the index alone (INCLUDE (n)): exact
    for a rare term, a lower bound above SMALL for a common one. One query for all."""
    probes = " UNION ALL ".join(
        f"""(SELECT %s, (SELECT coalesce(sum(n), 0) FROM (
                SELECT n FROM funds_lookupterm
                WHERE term COLLATE "C" >= %s AND term COLLATE "C" < %s LIMIT {PROBE_ROWS}) p))"""  # noqa: S608
        for _ in ranges
    )
    params: list[Any] = []
    for key, (lo, hi) in ranges.items():
        params += [key, lo, hi]
    with connection.cursor() as cursor:
        cursor.execute(probes, params)  # noqa: S608 - fixed SQL, bound values
        return {key: int(n) for key, n in cursor.fetchall()}


def _text_condition(pattern: str) -> tuple[str, list[str]]:
    """A word (or a phrase) checked on a ledger row: its search key, or a donor name given later."""
    sql = (
        "(e.search_key LIKE %s OR EXISTS (SELECT 1 FROM funds_ledgerannotation a "
        "WHERE a.entry_id = e.id AND a.kind = 'identify' AND a.name_key LIKE %s))"
    )
    return sql, [pattern, pattern]


# The other conditions, checked on one candidate receipt at a time (a LATERAL subquery that
# is not pulled up: the planner would otherwise hash-join the whole ledger).
_CHECK = """
    SELECT 1 FROM funds_ledgerentry e JOIN funds_fund f ON f.id = e.fund_id
    WHERE e.id = {id} AND {conditions} OFFSET 0
"""


def _postings_sql(
    ranges: dict[str, tuple[str, str]],
    sizes: dict[str, int],
    checks: dict[str, tuple[str, list[Any]]],
    extra: list[tuple[str, list[Any]]],
    query: DonationQuery,
    limit: int,
) -> RawSQL:
    """The newest `limit` public receipts on the posting lists of every term range of
    `ranges` (words, or a phrase's pairs) that also pass the `extra` conditions and the
    query's amount, dates, reference and fund. A range not read from its posting lists is
    checked on the ledger row by its SQL in `checks` (none: `extra` covers it).

    - Some range is rare (≤ SMALL receipts): the posting lists of the rarest,
      of the next rarest if at most READ_RATIO times longer, and of any other
      short one are read whole and intersected as (day, id) pairs; the rest is
      checked on the few receipts left.
    - Every range is common ("nguyen", "ngu", "tran thi"): the rarest drives,
      walked newest day first: for each of its terms (a prefix: the distinct
      terms, by a recursive CTE in the index), its posting rows newest day
      first, each day's ids newest first (an incremental sort per day), the
      next rarest range's ids of the same day intersected, each receipt
      checked for the rest, stopping at `limit`; then the terms' pages merged.
    """
    keys = sorted(ranges, key=lambda k: (sizes[k], -len(k)))
    driver = keys[0]
    # the rarest list and the next rarest if at most READ_RATIO times longer (a list much
    # longer costs more to read than the rarest's receipts cost to check); after those two
    # the candidates are few: a third list is read only if short (≤ PROBE_ROWS)
    intersected = []
    if sizes[driver] <= SMALL:
        intersected = [driver] + [
            k
            for i, k in enumerate(keys[1:], 1)
            if sizes[k] <= PROBE_ROWS
            or (i == 1 and sizes[k] <= min(SMALL, READ_RATIO * sizes[driver] + PROBE_ROWS))
        ]
    second = keys[1] if len(keys) > 1 and not intersected else None
    where, params = ["e.kind = 'receipt'", "f.is_public"], []
    for key in keys:
        if key not in (driver, second) and key not in intersected and key in checks:
            where.append(checks[key][0])
            params += checks[key][1]
    for sql, values in extra:
        where.append(sql)
        params += values
    days, day_params = "", []
    if query.date_from:
        days += " AND p.booked_on >= %s"
        day_params.append(query.date_from)
    if query.date_to:
        days += " AND p.booked_on <= %s"
        day_params.append(query.date_to)
    if query.amount:
        where.append("e.amount = %s")
        params.append(query.amount)
    if query.reference.strip():
        where.append("e.reference = %s")
        params.append(query.reference.strip())
    if query.fund_id:
        where.append("e.fund_id = %s")
        params.append(query.fund_id)
    conditions = " AND ".join(where)
    if intersected:
        postings = f"""
            SELECT p.booked_on, u.entry_id
            FROM funds_lookupterm p CROSS JOIN LATERAL unnest(p.entry_ids) AS u (entry_id)
            WHERE p.term COLLATE "C" >= %s AND p.term COLLATE "C" < %s{days}
        """  # noqa: S608 - fixed SQL; values are bound parameters
        sets, set_params = [], []
        for key in intersected:
            sets.append(postings)
            set_params += [*ranges[key], *day_params]
        sql = f"""
            SELECT m.entry_id FROM (
                SELECT * FROM ({" INTERSECT ".join(sets)}) i
                ORDER BY booked_on DESC, entry_id DESC
            ) m
            CROSS JOIN LATERAL ({_CHECK.format(conditions=conditions, id="m.entry_id")}) ok
            ORDER BY m.booked_on DESC, m.entry_id DESC
            LIMIT %s
        """  # noqa: S608 - fixed SQL; every value is a bound parameter
        return RawSQL(sql, [*set_params, *params, limit])  # noqa: S611 - bound parameters
    lo, hi = ranges[driver]
    ids, second_params = "(SELECT unnest(p.entry_ids) AS entry_id)", []
    if second:
        ids = """(
            SELECT unnest(p.entry_ids) AS entry_id
            INTERSECT
            SELECT unnest(q.entry_ids) FROM funds_lookupterm q
            WHERE q.term COLLATE "C" >= %s AND q.term COLLATE "C" < %s
              AND q.booked_on = p.booked_on
        )"""
        second_params = list(ranges[second])
    sql = f"""
        WITH RECURSIVE terms (term) AS (
            (SELECT term FROM funds_lookupterm
             WHERE term COLLATE "C" >= %s AND term COLLATE "C" < %s
             ORDER BY term COLLATE "C" LIMIT 1)
            UNION ALL
            SELECT (SELECT t.term FROM funds_lookupterm t
                    WHERE t.term COLLATE "C" > terms.term COLLATE "C"
                      AND t.term COLLATE "C" < %s
                    ORDER BY t.term COLLATE "C" LIMIT 1)
            FROM terms WHERE terms.term IS NOT NULL
        )
        SELECT x.entry_id FROM terms CROSS JOIN LATERAL (
            SELECT c.entry_id, c.booked_on
            FROM (
                SELECT p.booked_on, u.entry_id
                FROM funds_lookupterm p CROSS JOIN LATERAL {ids} AS u
                WHERE p.term COLLATE "C" = terms.term COLLATE "C"{days}
                ORDER BY p.booked_on DESC, u.entry_id DESC
            ) c
            CROSS JOIN LATERAL ({_CHECK.format(conditions=conditions, id="c.entry_id")}) ok
            ORDER BY c.booked_on DESC, c.entry_id DESC
            LIMIT %s
        ) x
        WHERE terms.term IS NOT NULL
        GROUP BY x.entry_id, x.booked_on
        ORDER BY x.booked_on DESC, x.entry_id DESC
        LIMIT %s
    """  # noqa: S608 - conditions are fixed SQL; every value is a bound parameter
    return RawSQL(sql, [lo, hi, hi, *second_params, *day_params, *params, limit, limit])  # noqa: S611 - bound parameters


PHRASE = True  # read several words as a phrase first (tests switch it off to test the rest)


def _pg_plans(query: DonationQuery, limit: int) -> list[RawSQL]:
    """PostgreSQL, a query with a word of 3+ characters: the ways to its newest `limit` ids,
    in order; the first that finds a receipt gives the page.

    1. Several words of letters: the phrase ("pham thi ha huong": its words adjacent, in
       the order typed, the last one a word start). Its adjacent pairs' posting lists
       (funds migration 0013) drive (_postings_sql) and the phrase is checked on each
       candidate. A donor's full name made of common words is a rare phrase: a few
       candidates instead of every day of two common words. Left out when a pair is on
       no receipt (one index probe).
    2. The words anywhere, in any order: each word's posting lists (the rarest drive,
       _postings_sql), the words of 1–2 characters and the rest checked per receipt.
    """
    words = query.words
    long_words = sorted({w for w in words if len(w) >= MIN_NAME}, key=len, reverse=True)
    word_ranges = {w: _term_range(w) for w in long_words}
    pair_ranges = _pair_ranges(words) if PHRASE and _is_phrase(words) else {}
    if len(word_ranges) + len(pair_ranges) > 1:
        sizes = _term_sizes(word_ranges | pair_ranges)
    else:  # one word: it drives, walked by day (no probe needed)
        sizes = {long_words[0]: SMALL + 1}
    plans = []
    if pair_ranges and all(sizes[t] for t in pair_ranges):
        # pairs on a receipt are not yet the phrase: it is checked on each candidate
        phrase = _text_condition(_phrase_pattern(words))
        plans.append(_postings_sql(pair_ranges, sizes, {}, [phrase], query, limit))
    checks = {w: _text_condition(_pattern(w)) for w in long_words}
    short = [_text_condition(_pattern(w)) for w in words if len(w) < MIN_NAME]
    plans.append(_postings_sql(word_ranges, sizes, checks, short, query, limit))
    return plans


def _pg_page_ids(query: DonationQuery, limit: int) -> RawSQL:
    """PostgreSQL, a query with a word of 3+ characters: its newest `limit` receipt ids, the
    phrase's when it is on a receipt, else the words' anywhere (_pg_plans), in one statement:
    the words' plan runs under a one-time filter only when the phrase found nothing."""
    plans = _pg_plans(query, limit)
    if len(plans) == 1:
        return plans[0]
    phrase, words = plans
    sql = f"""
        WITH phrase AS MATERIALIZED ({phrase.sql})
        SELECT entry_id FROM phrase
        UNION ALL
        SELECT w.entry_id FROM ({words.sql}) w WHERE NOT EXISTS (SELECT FROM phrase)
    """  # noqa: S608 - fixed SQL; every value is a bound parameter
    return RawSQL(sql, [*phrase.params, *words.params])  # noqa: S611 - bound parameters


@dataclass
class DonationPage:
    rows: list[dict[str, Any]]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def donation_page(*, query: DonationQuery, page: int = 1) -> DonationPage:
    """One page of matching receipts, newest first, as public rows (no total: it costs a scan)."""
    page = min(max(page, 1), MAX_PAGE)
    if query.is_empty or not query.is_searchable:
        return DonationPage([], page, False)
    start, end = (page - 1) * PER_PAGE, page * PER_PAGE + 1  # one more row: is there a next?
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql" and any(len(w) >= MIN_NAME for w in query.words):
            with connection.cursor() as cursor:
                # The planner multiplies the per-term page by its guess of the number of
                # terms and, above jit_above_cost, spends ~50 ms compiling a plan that
                # runs in 2 ms: no JIT for this transaction.
                # Also: a word's posting rows are read in index order (newest day first, an
                # incremental sort per day, stopping at a page), never all of them through a
                # bitmap scan and a full sort (the planner's guess of their number is small).
                cursor.execute(
                    "SELECT set_config('jit', 'off', true), "
                    "set_config('enable_bitmapscan', 'off', true)"
                )
            qs = LedgerEntry.objects.filter(pk__in=_pg_page_ids(query, end))
        else:
            if connection.vendor == "postgresql":
                # amount (and dates) without a word: (amount, booked_on DESC, id DESC) gives
                # the page in order; the planner preferred the day index and sorting a whole
                # day (155 ms on a storm day of 185,000 lines at 20 million, 1 ms this way)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('enable_incremental_sort', 'off', true)")
            qs = donation_queryset(query=query)
        rows = _public_rows(qs, start, end)
    return DonationPage(rows[:PER_PAGE], page, len(rows) > PER_PAGE)


def _public_rows(qs: QuerySet[LedgerEntry], start: int, end: int) -> list[dict[str, Any]]:
    rows = (
        with_donor(qs)
        .order_by("-booked_on", "-id")
        .values(
            "id",
            "booked_on",
            "amount",
            "donor",
            "memo",
            "fund_id",
            "fund__name",
            "fund__unit__name",
            "account__bank_name",
            "voucher_series",
            "voucher_year",
            "voucher_number",
            "reversed_by",
        )[start:end]
    )
    return [
        {
            "id": r["id"],
            "booked_on": r["booked_on"],
            "amount": r["amount"],
            "donor": mask_personal(r["donor"]) if r["donor"] else UNKNOWN_DONOR,
            "named": bool(r["donor"]),
            "memo": mask_personal(r["memo"]),
            "fund_id": r["fund_id"],
            "fund": r["fund__name"],
            "unit": r["fund__unit__name"],
            "bank": r["account__bank_name"] or "",
            "voucher": (
                f"{r['voucher_series']}-{r['voucher_year']}-{r['voucher_number']:04d}"
                if r["voucher_number"]
                else ""
            ),
            "reversed": r["reversed_by"] is not None,
        }
        for r in rows
    ]


def donation_search(*, query: DonationQuery, limit: int = MAX_RESULTS) -> list[dict[str, Any]]:
    """The first page of donation_page's rows (at most `limit`)."""
    return donation_page(query=query).rows[:limit]


def fund_disclosure(*, fund: Fund, period: Period) -> dict[str, Any]:
    """Money in, out by purpose, transfers, balances and a monthly series for one fund.

    Five queries: opening balance, grouped movements per month, transfers, and the
    period's bank statements beside the ledger on the bank accounts.
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
        with_annotations(
            LedgerEntry.objects.filter(
                fund=fund, booked_on__gte=period.start, booked_on__lte=period.end
            )
        )
        .annotate(month=TruncMonth("booked_on"))
        .values("month", "kind", "effective_purpose", "reverses__kind", "reverses__purpose")
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
        kind, factor, purpose, quantity = r["kind"], 1, r["effective_purpose"], r["quantity"] or 0
        if kind == EntryKind.REVERSAL:
            kind, factor, purpose, quantity = (
                r["reverses__kind"],
                -1,
                r["reverses__purpose"],
                r["rq"] or 0,
            )
        amount = factor * r["amount"]
        if kind == EntryKind.OPENING:  # an account's opening balance: not money in
            opening += amount
            continue
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
    # the bank's side: the statements of the period beside the ledger on the bank accounts
    statements = StatementLine.objects.filter(
        account__fund=fund, booked_on__gte=period.start, booked_on__lte=period.end
    ).aggregate(money_in=Sum("credit", default=0), money_out=Sum("debit", default=0), n=Count("id"))
    on_bank = (
        LedgerEntry.objects.filter(
            fund=fund,
            account__kind=AccountKind.BANK,
            booked_on__gte=period.start,
            booked_on__lte=period.end,
        )
        .exclude(kind=EntryKind.OPENING)
        .aggregate(
            money_in=Sum("amount", filter=Q(sign=1), default=0),
            money_out=Sum("amount", filter=Q(sign=-1), default=0),
        )
    )
    return {
        "fund": fund,
        "bank": {
            "lines": statements["n"],
            "statement_in": statements["money_in"],
            "statement_out": statements["money_out"],
            "ledger_in": on_bank["money_in"],
            "ledger_out": on_bank["money_out"],
            "equal": (statements["money_in"], statements["money_out"])
            == (on_bank["money_in"], on_bank["money_out"]),
        },
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
