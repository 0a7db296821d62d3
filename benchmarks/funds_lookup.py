"""Public donation lookup latency on many ledger rows (PostgreSQL), next to a naive baseline.

    MATTRAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \
        python benchmarks/funds_lookup.py --rows 20000000 --keep

Fills a scratch database with N receipts (names from common Vietnamese family,
middle and given names, memos without diacritics as banks print them; the
search key is computed by the same code as the import's), then times
`donation_search` for full names typed without diacritics, and the naive
`party_name__icontains | memo__icontains` on the same names, in the same run.

The fill streams rows with COPY from a generator (secondary indexes dropped
first and rebuilt after, as for any bulk load), then VACUUM ANALYZE. With
--keep the database is left in place and a later run with the same --rows
reuses it (the fill of 20 million rows takes long). The naive baseline scans
the whole table per query: --naive-queries bounds how many it runs.
"""

import argparse
import random
import statistics
import time

from _setup import connection, make_fund, scratch_database

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Hữu",
    "Quang",
    "Thu",
    "Xuân",
    "Hoài",
    "Kim",
    "Anh",
    "Bảo",
    "Gia",
    "Hồng",
]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoà",
    "Hùng",
    "Hương",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Phong",
    "Phúc",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Thu",
    "Trang",
    "Trung",
    "Tuấn",
    "Vân",
    "Việt",
    "Vy",
    "Yến",
    "Đạt",
    "Đức",
    "Khánh",
    "Hoa",
]
CHUNK = 100_000


def ledger_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'funds_ledgerentry'"
        )
        return {name for (name,) in cursor.fetchall()}


def rows_text(fund_id, start, stop, with_terms):
    """COPY text of receipts start..stop-1 (the same name pattern as earlier versions)."""
    from mattran.core.vietnamese import fold
    from mattran.funds import importing

    names = {}
    out = []
    for i in range(start, stop):
        parts = (FAMILY[(i * 7) % 16], MIDDLE[(i // 7) % 16], GIVEN[(i * 13 // 5) % 40])
        name = names.get(parts)
        if name is None:
            full = " ".join(parts)
            name = names[parts] = (full, fold(full), fold(full).upper())
        full, folded, upper = name
        memo = f"{upper} chuyen tien ung ho dong bao bao Yagi {i}"
        key = importing._search_key(full, memo)
        terms = f"\t{importing.search_terms(key)}" if with_terms else ""
        out.append(
            f"{fund_id}\treceipt\t1\t{(1 + i % 200) * 10000}\t2024-09-{1 + i % 30:02d}\t{full}\t"
            f"person\tbank\tFT{i}\t{memo}\t{key}\t{folded}\t\t\tPT\t2024\t{i}\t"
            f"2024-09-30T00:00:00+00:00{terms}\n"
        )
    return "".join(out)


def fill(rows: int) -> None:
    fund, _ = make_fund()
    with_terms = "search_terms" in ledger_columns()
    columns = (
        "fund_id, kind, sign, amount, booked_on, party_name, party_kind, channel, reference, "
        "memo, search_key, party_key, purpose, beneficiaries, voucher_series, voucher_year, "
        "voucher_number, created_at" + (", search_terms" if with_terms else "")
    )
    pg = connection.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'funds_ledgerentry' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    started = time.perf_counter()
    with (
        pg.cursor() as cursor,
        cursor.copy(f"COPY funds_ledgerentry ({columns}) FROM STDIN") as copy,
    ):
        for start in range(1, rows + 1, CHUNK):
            copy.write(rows_text(fund.pk, start, min(start + CHUNK, rows + 1), with_terms))
            if (start // CHUNK) % 20 == 0:
                print(f"  {start + CHUNK - 1:,} rows, {time.perf_counter() - started:.0f} s")
    pg.commit()
    print(f"  COPY of {rows:,} rows: {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in indexes:
            began = time.perf_counter()
            cursor.execute(definition)
            print(f"  index {name}: {time.perf_counter() - began:.0f} s")
    pg.commit()
    began = time.perf_counter()
    pg.autocommit = True
    with pg.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE funds_ledgerentry")
    pg.autocommit = False
    print(f"  VACUUM ANALYZE: {time.perf_counter() - began:.0f} s")


def timed(fn, queries):
    times = []
    for q in queries:
        started = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--naive-queries", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the filled database")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of a lookup")
    args = parser.parse_args()
    from django.db.models import Q

    from mattran.core.vietnamese import fold
    from mattran.funds.models import LedgerEntry
    from mattran.portal.selectors import DonationQuery, donation_queryset, donation_search

    with scratch_database(keep=args.keep):
        assert connection.vendor == "postgresql", "run this benchmark on PostgreSQL"
        have = LedgerEntry.objects.count()
        if have != args.rows:
            if have:
                raise SystemExit(f"the kept database holds {have:,} rows, not {args.rows:,}")
            started = time.perf_counter()
            fill(args.rows)
            print(f"filled {args.rows:,} receipts in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('funds_ledgerentry'))")
            print(f"ledger table with indexes: {cursor.fetchone()[0]}, {args.rows:,} rows")
        rng = random.Random(7)
        names = [
            fold(f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}")
            for _ in range(args.queries)
        ]
        for q in names[:20]:  # warm the cache as a running server would be
            donation_search(query=DonationQuery(name=q))
        if args.explain:
            sql, params = donation_queryset(query=DonationQuery(name=names[0]))[
                :50
            ].query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n".join(row[0] for row in cursor.fetchall()))
        fast = timed(lambda q: donation_search(query=DonationQuery(name=q)), names)
        naive_names = names[: args.naive_queries]
        naive = timed(
            lambda q: list(
                LedgerEntry.objects.filter(Q(party_name__icontains=q) | Q(memo__icontains=q))
                .order_by("-booked_on", "-id")
                .values("booked_on", "amount", "party_name", "memo")[:50]
            ),
            naive_names,
        )
        hits = sum(len(donation_search(query=DonationQuery(name=q))) for q in names[:20]) / 20
        found = sum(donation_queryset(query=DonationQuery(name=q)).count() for q in names[:5])
        print(
            f"{args.queries} lookups by full name without diacritics "
            f"(~{hits:.0f} rows shown each, ~{found / 5:,.0f} matching rows per name)"
        )
        print(f"  donation_search: median {fast[0]:7.1f} ms, p95 {fast[1]:7.1f} ms")
        print(
            f"  naive icontains baseline ({len(naive_names)} lookups): "
            f"median {naive[0]:7.1f} ms, p95 {naive[1]:7.1f} ms"
        )


if __name__ == "__main__":
    main()
