"""Public donation lookup latency over many receipts (PostgreSQL), next to a naive baseline.

    MATTRAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \
        python benchmarks/funds_lookup.py --rows 5000000 --keep

Fills a scratch database with N receipts as statement imports book them: about
58% with a donor name read from the memo, 42% "người ủng hộ chưa xác định" whose
memo is only a message ("ung ho mien Bac", "minh xin gui it tam long", a shop's
name); the search key is computed by the import's own code and the lookup
terms by the database triggers. Then one real statement import of --import-lines
lines (statement_import_run, which refreshes the statistics it made stale) and,
right after it, the query mix of the issue, timed three ways:

- cold: each query's first run (pages not touched by a warm-up; the PostgreSQL
  server is shared, so its buffers and the OS cache are NOT flushed: say so);
- warm: the same queries again;
- naive: `party_name__icontains | memo__icontains` (and plain filters) ordered
  newest first, for a few of the same queries, in the same run.

The mix: a very common surname ("nguyen"), 3-letter prefixes, "tran thi", a
memo word ("tam long"), amount only, date + amount, full rare names, a
reference, and "." (must find nothing). With --keep the filled database is kept
and reused by a later run with the same --rows (created with serialize=False:
no JSON dump of millions of rows).
"""

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

from _setup import connection, make_fund, scratch_database

FAMILY = [
    "Nguyễn",
    "Nguyễn",
    "Nguyễn",
    "Trần",
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
]
MIDDLE = [
    "Văn",
    "Thị",
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
    "Khánh",
    "Hoa",
    "Xuyến",
    "Khuê",
    "Diệp",
    "Ngà",
    "Thơ",
]
MESSAGES = [
    "ung ho mien Bac",
    "minh xin gui it tam long",
    "ung ho dong bao bi bao lu",
    "chung tay khac phuc hau qua bao so 3",
    "Tap hoa Minh Chau ung ho",
    "cac chau hoc sinh lop 5A gui ba con",
    "ung ho dong bao vung lu",
    "xin cam on",
]
CHUNK = 100_000
DAY0 = dt.date(2024, 9, 1)
DAYS = 60


def rows_text(fund_id, account_id, start, stop):
    """COPY text of receipts start..stop-1, as the import books them."""
    from mattran.core.vietnamese import fold
    from mattran.funds import importing

    out = []
    rng = random.Random(start)
    for i in range(start, stop):
        day = (DAY0 + dt.timedelta(days=(i * DAYS) // 10**8 + i % 7)).isoformat()
        amount = rng.choice((10, 20, 50, 100, 200, 300, 500, 1000, 2000)) * 1000 + (i % 97 == 0) * (
            i % 1000
        )
        if rng.random() < 0.42:
            name, memo = "", f"{rng.choice(MESSAGES)} {i % 1000}"
        else:
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            memo = f"{fold(name).upper()} chuyen tien ung ho dong bao bao Yagi"
        key = importing._search_key(name, memo)
        out.append(
            f"{fund_id}\t{account_id}\treceipt\t1\t{amount}\t{day}\t{name}\t"
            f"{'person' if name else 'unknown'}\tbank\tFT{i}\t{memo}\t{key}\t{fold(name)}\t\t\t"
            f"PT\t2024\t{i}\t2024-09-30T00:00:00+00:00\n"
        )
    return "".join(out)


def fill(rows: int):
    fund, account = make_fund()
    columns = (
        "fund_id, account_id, kind, sign, amount, booked_on, party_name, party_kind, channel, "
        "reference, memo, search_key, party_key, purpose, beneficiaries, voucher_series, "
        "voucher_year, voucher_number, created_at"
    )
    pg = connection.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('funds_ledgerentry', 'funds_lookupterm') "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    started = time.perf_counter()
    with pg.cursor() as cursor:
        for start in range(1, rows + 1, CHUNK):
            # one COPY per chunk: the statement trigger writes each chunk's lookup terms
            with cursor.copy(f"COPY funds_ledgerentry ({columns}) FROM STDIN") as copy:
                copy.write(rows_text(fund.pk, account.pk, start, min(start + CHUNK, rows + 1)))
            if (start // CHUNK) % 10 == 0:
                print(f"  {start + CHUNK - 1:,} rows, {time.perf_counter() - started:.0f} s")
    pg.commit()
    from mattran.funds.models import VoucherCounter

    VoucherCounter.objects.update_or_create(
        fund=fund, series="PT", year=2024, defaults={"last_number": rows}
    )
    print(f"  COPY of {rows:,} rows (with lookup terms): {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in indexes:
            began = time.perf_counter()
            cursor.execute(definition)
            print(f"  index {name}: {time.perf_counter() - began:.0f} s")
    pg.commit()
    began = time.perf_counter()
    pg.autocommit = True
    with pg.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE funds_ledgerentry")
        cursor.execute("VACUUM ANALYZE funds_lookupterm")
    pg.autocommit = False
    print(f"  VACUUM ANALYZE: {time.perf_counter() - began:.0f} s")
    return account


# two-syllable given names that the fill never uses: a donor with an uncommon name
RARE = "Uyên Thục Diễm Kiều Trâm Nhàn Duyên Thoa Hằng Loan Khải Tùng".split()  # noqa: SIM905


def bulk_import(account, lines: int) -> list[str]:
    """A real statement import of `lines` generated VCB lines into the filled account.

    2% of them are from donors with an uncommon full name (family, middle and a
    two-syllable given name not used elsewhere); those names are returned for the
    "full rare name" queries (each names one to a few rows among millions).
    """
    from mattran.core.vietnamese import fold
    from mattran.funds import importing

    rare_names = []

    run = int(time.time())  # new lines on every run (a kept database already has the last ones)
    rng = random.Random(run)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sao-ke.csv"
        with path.open("w", encoding="utf-8") as out:
            out.write("TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n")
            for i in range(lines):
                day = DAY0 + dt.timedelta(days=DAYS + i * 5 // lines)
                if rng.random() < 0.02:
                    name = (
                        f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} "
                        f"{rng.choice(RARE)} {rng.choice(RARE)}"
                    )
                    rare_names.append(name)
                    memo = f"{fold(name).upper()} chuyen tien ung ho"
                elif rng.random() < 0.42:
                    memo = rng.choice(MESSAGES)
                else:
                    memo = f"NGUYEN VAN {rng.choice(('AN', 'BINH', 'THAO'))} chuyen tien ung ho"
                amount = rng.choice((50, 100, 200))
                out.write(f"{day:%d/%m/%Y},{run}.{i},,{amount}.000,,{memo}\n")
        started = time.perf_counter()
        imp = importing.statement_import_run(
            actor=None, account=account, path=path, file_name="bulk.csv", layout_code="vcb"
        )
        took = time.perf_counter() - started
    print(
        f"bulk import just before the queries: {imp.lines_created:,} lines in {took:.1f} s "
        "(its refresh_statistics ANALYZEs a table the import grew by 10% or more)"
    )
    return rare_names


def percentile(times, p):
    times = sorted(times)
    return times[min(len(times) - 1, max(int(round(len(times) * p)) - 1, 0))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--import-lines", type=int, default=20_000)
    parser.add_argument("--rare", type=int, default=40, help="full rare names in the mix")
    parser.add_argument("--common-names", type=int, default=10, help="full common names")
    parser.add_argument("--naive-queries", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the filled database")
    parser.add_argument("--explain", default="", help="EXPLAIN ANALYZE of this query's words")
    args = parser.parse_args()
    from django.db.models import Q

    from mattran.funds.models import FundAccount, LedgerEntry
    from mattran.portal.selectors import DonationQuery, _pg_page_ids, donation_page

    with scratch_database(keep=args.keep):
        assert connection.vendor == "postgresql", "run this benchmark on PostgreSQL"
        have = LedgerEntry.objects.count()
        if have < args.rows:
            if have:
                raise SystemExit(f"the kept database holds {have:,} rows, not {args.rows:,}")
            started = time.perf_counter()
            account = fill(args.rows)
            print(f"filled {args.rows:,} receipts in {time.perf_counter() - started:.0f} s")
        else:
            account = FundAccount.objects.get(account_number="0011001932418")
            with connection.cursor() as cursor:  # a kept database: statistics as migrated now
                cursor.execute(
                    "SELECT cardinality(most_common_freqs) FROM pg_stats "
                    "WHERE tablename = 'funds_lookupterm' AND attname = 'term'"
                )
                row = cursor.fetchone()
                if not row or (row[0] or 0) < 200:
                    began = time.perf_counter()
                    cursor.execute("ANALYZE funds_lookupterm")
                    print(f"ANALYZE funds_lookupterm: {time.perf_counter() - began:.1f} s")
        rare_names = bulk_import(account, args.import_lines)
        total = LedgerEntry.objects.count()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('funds_ledgerentry')), "
                "pg_size_pretty(pg_total_relation_size('funds_lookupterm')), "
                "(SELECT reltuples::bigint FROM pg_class WHERE relname = 'funds_lookupterm')"
            )
            ledger_size, terms_size, terms = cursor.fetchone()
        print(f"ledger: {total:,} receipts, {ledger_size}; lookup terms: ~{terms:,}, {terms_size}")
        rng = random.Random(7)
        some_day = DAY0 + dt.timedelta(days=3)
        mix = [
            ("common surname", DonationQuery(name="nguyen")),
            ("common surname", DonationQuery(name="Nguyễn")),
            ("3-letter prefix", DonationQuery(name="ngu")),
            ("3-letter prefix", DonationQuery(name="tra")),
            ("3-letter prefix", DonationQuery(name="pha")),
            ("two common words", DonationQuery(name="tran thi")),
            ("memo words", DonationQuery(name="tam long")),
            ("amount only", DonationQuery(amount=500_000)),
            ("amount only", DonationQuery(amount=20_000)),
            ("date + amount", DonationQuery(amount=200_000, date_from=some_day, date_to=some_day)),
            ("date + word", DonationQuery(name="yagi", date_from=some_day, date_to=some_day)),
            ("reference", DonationQuery(reference="FT123457")),
            ("nothing", DonationQuery(name=".")),
        ]
        for name in rng.sample(rare_names, min(args.rare, len(rare_names))):
            mix.append(("full rare name", DonationQuery(name=name)))
        for _ in range(args.common_names):  # ~100-400 rows each, spread over 60 days
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            mix.append(("full common name", DonationQuery(name=name)))
        if args.explain:
            sql = _pg_page_ids(DonationQuery(name=args.explain), 51)
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.sql, sql.params)
                print("\n".join(row[0] for row in cursor.fetchall()))

        def run(query):
            started = time.perf_counter()
            page = donation_page(query=query)
            return (time.perf_counter() - started) * 1000, len(page.rows)

        cold = [(label, *run(q)) for label, q in mix]
        warm = [(label, *run(q)) for label, q in mix]
        assert dict((lbl, n) for lbl, _, n in warm)["nothing"] == 0
        for title, results in (("cold (first run of each query)", cold), ("warm", warm)):
            times = [t for _, t, _ in results]
            print(
                f"{title}: {len(times)} lookups, median {statistics.median(times):.1f} ms, "
                f"p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms"
            )
            issue = [t for label, t, _ in results if label != "full common name"]
            print(
                f"  the issue's mix (without full common names): {len(issue)} lookups, "
                f"median {statistics.median(issue):.1f} ms, p95 {percentile(issue, 0.95):.1f} ms"
            )
            by_label: dict[str, list[float]] = {}
            for label, t, _ in results:
                by_label.setdefault(label, []).append(t)
            for label, ts in by_label.items():
                print(f"    {label:<18} {len(ts):3} × max {max(ts):7.1f} ms")
        rows_per = {label: n for label, _, n in warm}
        print(f"  rows shown (first page, at most 50): {rows_per}")

        def naive(query):
            qs = LedgerEntry.objects.filter(kind="receipt")
            if query.name:
                qs = qs.filter(Q(party_name__icontains=query.name) | Q(memo__icontains=query.name))
            if query.amount:
                qs = qs.filter(amount=query.amount)
            started = time.perf_counter()
            list(qs.order_by("-booked_on", "-id").values("booked_on", "amount", "memo")[:50])
            return (time.perf_counter() - started) * 1000

        sample = [q for label, q in mix if label != "nothing"][: args.naive_queries]
        naive_times = [naive(q) for q in sample]
        print(
            f"naive icontains baseline ({len(sample)} of the same queries): "
            f"median {statistics.median(naive_times):.1f} ms, max {max(naive_times):.1f} ms"
        )


if __name__ == "__main__":
    main()
