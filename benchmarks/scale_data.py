"""A big public ledger built set-based in PostgreSQL (generate_series), for the scale benchmarks.

    MATTRAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \
        python benchmarks/funds_lookup.py --rows 20000000 --keep      # fills through this module

`fill(rows)` writes `rows` ledger lines into an empty, migrated database with
one INSERT … SELECT per day (generate_series; no row goes through Python):

- 20 public funds (one national fund gets ~60 % of the lines), one bank
  account each;
- 730 days from 2024-01-01, with the September 2024 storm appeal (Yagi)
  about ten times a normal day's volume;
- ~99 % receipts, ~1 % bank-fee payments; amounts from a realistic mix of
  round sums (10.000 … 10.000.000 đ) with ~8 % odd amounts;
- 58 % of the receipts name their donor, read from the memo as the import
  does: Vietnamese names with the real frequency of surnames (Nguyễn ~38 %,
  Trần ~12 %, Lê ~9.5 %, Phạm ~7 %, … and a tail of rare ones), middle names
  (Thị, Văn, …) and ~170 given names with a Zipf-like frequency, 20 % with a
  two-syllable given name; 42 % are "người ủng hộ chưa xác định" whose memo is
  only a message ("ung ho mien Bac", "minh xin gui it tam long", a shop's name);
- memos as banks print them (VCB/MB/IBFT prefixes, trace numbers, account
  numbers that the masking hides): 2,000 concrete memo texts whose search
  key is computed by the import's own function (importing._search_key) with
  a placeholder for the name; `check_keys` re-computes the search key of a
  sample of generated rows in Python and fails on any difference.

The lookup's derived rows (funds_lookupterm) are written afterwards, by the
database, from the lines (`lookup_terms_build`): the same SQL as the triggers,
a day at a time. Indexes that are not constraints are dropped during the fill
and rebuilt at the end (as a restore would). The PostgreSQL backend doing the
work is reniced (it runs on a shared machine); no benchmark timing is taken
here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import time

from _setup import connection

DAY0 = dt.date(2024, 1, 1)
DAYS = 730
STORM = (dt.date(2024, 9, 8), dt.date(2024, 9, 30))  # the appeal's busiest weeks
PLACEHOLDER = "Qqnameqq"

# Surnames, per 1,000 people (Vietnamese population shares, rounded).
SURNAMES = {
    "Nguyễn": 384, "Trần": 121, "Lê": 95, "Phạm": 70, "Hoàng": 40, "Huỳnh": 11, "Phan": 45,
    "Vũ": 25, "Võ": 14, "Đặng": 21, "Bùi": 20, "Đỗ": 14, "Hồ": 13, "Ngô": 13, "Dương": 10,
    "Lý": 5, "Đinh": 8, "Trương": 8, "Lâm": 6, "Mai": 6, "Trịnh": 6, "Đoàn": 5, "Lương": 5,
    "Hà": 5, "Tạ": 4, "Tô": 4, "Cao": 4, "Châu": 3, "Phùng": 3, "Quách": 2, "La": 2,
    "Thái": 2, "Kiều": 2, "Triệu": 2, "Vương": 2, "Khúc": 1, "Mạc": 1, "Âu": 1, "Tôn": 1,
    "Lục": 1, "Khổng": 1, "Ông": 1, "Diệp": 1, "Bạch": 1, "Lạc": 1, "Văn": 1, "Thân": 1,
    "Giáp": 1, "Hứa": 1, "Doãn": 1, "Nghiêm": 1, "Ninh": 1, "Tăng": 1, "Từ": 1,
}  # fmt: skip
MIDDLE = {
    "Thị": 380, "Văn": 300, "Ngọc": 40, "Minh": 40, "Thanh": 40, "Hữu": 30, "Đức": 30,
    "Quang": 20, "Xuân": 20, "Thu": 15, "Hoàng": 10, "Kim": 10, "Công": 10, "Anh": 10,
    "Hồng": 10, "Gia": 8, "Quốc": 8, "Bảo": 5, "Đình": 5, "Trọng": 5, "Mỹ": 4,
}  # fmt: skip
GIVEN = [
    "Anh",
    "Linh",
    "Hương",
    "Trang",
    "Hà",
    "Lan",
    "Hùng",
    "Dũng",
    "Tuấn",
    "Nam",
    "Hải",
    "Hằng",
    "Ngọc",
    "Phương",
    "Thảo",
    "Huyền",
    "Mai",
    "Hoa",
    "Thủy",
    "Hiền",
    "Hạnh",
    "Minh",
    "Long",
    "Sơn",
    "Thắng",
    "Cường",
    "Hoàng",
    "Đức",
    "Huy",
    "Trung",
    "Quân",
    "Khánh",
    "Vy",
    "Yến",
    "Nhung",
    "Nga",
    "Giang",
    "Loan",
    "Tâm",
    "Thu",
    "Hiếu",
    "Nhi",
    "Ngân",
    "Quỳnh",
    "Hậu",
    "Phúc",
    "Lộc",
    "Tài",
    "Thành",
    "Bình",
    "An",
    "Chi",
    "Dung",
    "Duyên",
    "Hào",
    "Hiệp",
    "Hòa",
    "Hoà",
    "Khoa",
    "Kiên",
    "Lâm",
    "Liên",
    "Lợi",
    "Luân",
    "Mạnh",
    "My",
    "Nghĩa",
    "Nhân",
    "Nhật",
    "Oanh",
    "Phong",
    "Phú",
    "Quang",
    "Quý",
    "Sang",
    "Tân",
    "Thái",
    "Thanh",
    "Thịnh",
    "Thông",
    "Thư",
    "Tiến",
    "Toàn",
    "Trâm",
    "Trí",
    "Trinh",
    "Tú",
    "Tùng",
    "Uyên",
    "Vân",
    "Việt",
    "Vinh",
    "Xuân",
    "Yên",
    "Đạt",
    "Điệp",
    "Đông",
    "Bảo",
    "Châu",
    "Cúc",
    "Diệp",
    "Đào",
    "Gấm",
    "Hân",
    "Hồng",
    "Huệ",
    "Kha",
    "Khải",
    "Khang",
    "Khuê",
    "Lành",
    "Lệ",
    "Liễu",
    "Ly",
    "Mận",
    "Mến",
    "Ngà",
    "Nguyệt",
    "Nhàn",
    "Nhạn",
    "Nhung",
    "Nương",
    "Phượng",
    "Quế",
    "Sen",
    "Sương",
    "Thắm",
    "Thơ",
    "Thoa",
    "Thục",
    "Thùy",
    "Tươi",
    "Vui",
    "Xuyến",
    "Yến",
    "Ánh",
    "Ấn",
    "Bích",
    "Cẩm",
    "Diễm",
    "Dịu",
    "Hảo",
    "Hường",
    "Kiều",
    "Loan",
    "Lụa",
    "Mơ",
    "Ngát",
    "Phấn",
    "Quyên",
    "Son",
    "Tuyết",
    "Vàng",
    "Vĩnh",
    "Khiêm",
    "Khôi",
    "Lực",
    "Nhẫn",
    "Quyết",
    "Sỹ",
    "Tấn",
    "Thiện",
    "Tín",
    "Trọng",
    "Vũ",
]
SHOPS = (
    "Tap hoa Minh Chau", "Cong ty TNHH Thanh Dat", "Nha thuoc Hong Phuc", "Quan com Ba Hai",
    "Tiem vang Kim Thanh", "Hop tac xa Tan Tien", "Cong doan truong THCS Le Loi",
    "Chi doan thon 3", "Hoi phu nu xa Hoa Binh", "Chua Phuc Lam", "Nhom ban lop 12A1",
)  # fmt: skip
MESSAGES = (
    "ung ho mien Bac", "minh xin gui it tam long", "ung ho dong bao bi bao lu",
    "chung tay khac phuc hau qua bao so 3", "cac chau hoc sinh lop 5A gui ba con",
    "ung ho dong bao vung lu", "xin cam on", "ung ho Lao Cai", "ung ho Yen Bai",
    "ung ho Cao Bang", "thanh kinh chia buon cung ba con", "gia dinh ung ho ba con vung lu",
    "ung ho dong bao mien Trung", "gop suc cung dong bao", "huong ve mien Bac than yeu",
    "ung ho Lang Nu", "mong ba con binh an", "ung ho quy cuu tro",
)  # fmt: skip
NAMED = (
    "{n} chuyen tien ung ho dong bao bao lu",
    "{n} ung ho dong bao mien Bac",
    "MBVCB.{d10}.{n} chuyen tien.CT tu {a13} toi 0011001932418 MAT TRAN TO QUOC VN",
    "IBFT {n} ung ho khac phuc hau qua bao so 3",
    "{n} ung ho MTTQ",
    "{n} gui dong bao vung lu",
    "{n} chuyen khoan ung ho {msg}",
    "{d6}.{d6}.{d6}.{n} ung ho {msg}",
    "{n} {msg}",
)
UNNAMED = (
    "{msg}",
    "{msg} {d3}",
    "{shop} ung ho",
    "MBVCB.{d10}.{msg}.CT tu {a13} toi 0011001932418",
    "IBFT {msg}",
    "{d6}.{d6}.{d6}.{msg}",
)
AMOUNTS = {
    10_000: 40,
    20_000: 60,
    50_000: 140,
    100_000: 200,
    200_000: 140,
    300_000: 60,
    500_000: 120,
    1_000_000: 90,
    2_000_000: 30,
    5_000_000: 20,
    10_000_000: 10,
}  # fmt: skip; the rest (~8 %) odd amounts


def _slots(weights: dict) -> list:
    return [k for k, w in weights.items() for _ in range(w)]


def _given_slots() -> list[str]:
    """Zipf-like: the n-th given name about 1/n as frequent as the first (10,000 slots)."""
    names = list(dict.fromkeys(GIVEN))
    weights = [1 / (i + 1) ** 0.9 for i in range(len(names))]
    total = sum(weights)
    slots = []
    for name, w in zip(names, weights, strict=True):
        slots += [name] * max(1, round(10_000 * w / total))
    return slots


def memo_catalogue(seed: int = 20, count: int = 2000) -> list[tuple[str, str, bool]]:
    """Concrete memo texts (with a name placeholder), each with its search key's memo part."""
    from mattran.funds import importing

    rng = random.Random(seed)

    def digits(n):
        return "".join(rng.choice("0123456789") for _ in range(n))

    out = []
    for i in range(count):
        named = i % 2 == 0
        template = rng.choice(NAMED if named else UNNAMED)
        text = template.format(
            n=PLACEHOLDER.upper(),
            msg=rng.choice(MESSAGES),
            shop=rng.choice(SHOPS),
            d3=digits(3),
            d6=digits(6),
            d10=digits(10),
            a13=digits(13),
        )
        key = importing._search_key("", text).strip()
        out.append((text, key, named))
    return out


def _renice() -> None:
    """The backend of this connection yields the CPU to everyone else (shared machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, 15)


def _funds():
    from _setup import make_fund

    made = []
    for i in range(20):
        name = "Quỹ cứu trợ Trung ương" if i == 0 else f"Quỹ cứu trợ tỉnh số {i}"
        made.append(make_fund(name=name, number=f"00110019{i:05d}"))
    return made


def day_counts(rows: int) -> list[tuple[dt.date, int]]:
    weights = []
    for d in range(DAYS):
        day = DAY0 + dt.timedelta(days=d)
        weights.append(10.0 if STORM[0] <= day <= STORM[1] else 1.0 + 0.3 * (day.weekday() < 5))
    total = sum(weights)
    counts = [int(rows * w / total) for w in weights]
    counts[-1] += rows - sum(counts)
    return [(DAY0 + dt.timedelta(days=d), n) for d, n in enumerate(counts)]


INSERT_DAY = """
INSERT INTO funds_ledgerentry (
    fund_id, account_id, kind, sign, amount, booked_on, party_name, party_kind, channel,
    reference, memo, search_key, party_key, purpose, beneficiaries, voucher_series,
    voucher_year, voucher_number, created_at)
SELECT f.fund_id, f.account_id,
       CASE WHEN r.fee THEN 'disbursement' ELSE 'receipt' END,
       CASE WHEN r.fee THEN -1 ELSE 1 END,
       CASE WHEN r.fee THEN 1100
            WHEN r.odd THEN 10000 + (r.u4 * 4990000)::bigint
            ELSE am.v END,
       %(day)s::date,
       CASE WHEN r.named AND NOT r.fee THEN nm.display ELSE '' END,
       CASE WHEN r.named AND NOT r.fee THEN 'person' ELSE 'unknown' END,
       'bank',
       %(ref)s || lpad((%(first)s + r.i)::text, 9, '0'),
       CASE WHEN r.fee THEN 'THU PHI DICH VU SMS BANKING'
            WHEN r.named THEN replace(m.text, %(ph_upper)s, upper(nm.folded))
            ELSE m.text END,
       CASE WHEN r.fee THEN ''
            WHEN r.named
            THEN ' ' || nm.folded || ' ' || replace(m.key, %(ph_lower)s, nm.folded) || ' '
            ELSE ' ' || m.key || ' ' END,
       CASE WHEN r.named AND NOT r.fee THEN nm.folded ELSE '' END,
       CASE WHEN r.fee THEN 'bank_fee' ELSE '' END,
       '',
       CASE WHEN r.fee THEN 'PC' ELSE 'PT' END,
       %(year)s,
       %(first)s + r.i,
       %(day)s::date + time '12:00'
FROM (
    SELECT i, random() < 0.58 AS named, random() < 0.01 AS fee, random() < 0.08 AS odd,
           (random() * %(n_amounts)s)::int %% %(n_amounts)s AS am,
           random() AS u3, random() AS u4,
           (random() * 2000)::int %% 2000 AS memo_no, random() AS uf,
           (random() * %(n_sur)s)::int %% %(n_sur)s AS s,
           (random() * %(n_mid)s)::int %% %(n_mid)s AS mi,
           (random() * %(n_giv)s)::int %% %(n_giv)s AS g1,
           (random() * %(n_giv)s)::int %% %(n_giv)s AS g2,
           random() < 0.2 AS two_given
    FROM generate_series(1, %(count)s) AS i
    OFFSET 0  -- evaluated once per row, not inlined (random() in each use)
) r
CROSS JOIN LATERAL (SELECT d, f FROM bench_sur WHERE no = r.s) s1
CROSS JOIN LATERAL (SELECT d, f FROM bench_mid WHERE no = r.mi) m1
CROSS JOIN LATERAL (SELECT d, f FROM bench_giv WHERE no = r.g1) g1
CROSS JOIN LATERAL (SELECT d, f FROM bench_giv WHERE no = r.g2) g2
CROSS JOIN LATERAL (SELECT v FROM bench_amount WHERE no = r.am) am
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.two_given THEN concat_ws(' ', s1.d, m1.d, g2.d, g1.d)
                ELSE concat_ws(' ', s1.d, m1.d, g1.d) END AS display,
           CASE WHEN r.two_given THEN concat_ws(' ', s1.f, m1.f, g2.f, g1.f)
                ELSE concat_ws(' ', s1.f, m1.f, g1.f) END AS folded
) nm
CROSS JOIN LATERAL (
    SELECT text, key FROM bench_memo
    WHERE no = CASE WHEN r.named THEN (r.memo_no / 2) * 2 ELSE (r.memo_no / 2) * 2 + 1 END
) m
CROSS JOIN LATERAL (
    SELECT fund_id, account_id FROM bench_fund
    WHERE no = CASE WHEN r.uf < 0.6 THEN 0 ELSE 1 + (r.u3 * 19)::int %% 19 END
) f
"""


def fill(rows: int, *, seed: float = 0.2) -> None:
    """`rows` ledger lines (see the module doc) into an empty migrated database."""
    from mattran.core.vietnamese import fold
    from mattran.funds.models import VoucherCounter

    _renice()
    funds = _funds()
    catalogue = memo_catalogue()
    sur, mid, giv = _slots(SURNAMES), _slots(MIDDLE), _given_slots()
    amounts = _slots(AMOUNTS)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute(
            "CREATE TEMP TABLE bench_memo (no int PRIMARY KEY, text text, key text);"
            "CREATE TEMP TABLE bench_fund (no int PRIMARY KEY, fund_id bigint, account_id bigint)"
        )
        cursor.executemany(
            "INSERT INTO bench_memo VALUES (%s, %s, %s)",
            [(i, t, k) for i, (t, k, _) in enumerate(catalogue)],
        )
        for table, values in (
            ("bench_sur", [(x, fold(x)) for x in sur]),
            ("bench_mid", [(x, fold(x)) for x in mid]),
            ("bench_giv", [(x, fold(x)) for x in giv]),
        ):
            cursor.execute(f"CREATE TEMP TABLE {table} (no int PRIMARY KEY, d text, f text)")
            cursor.executemany(
                f"INSERT INTO {table} VALUES (%s, %s, %s)",  # noqa: S608 - fixed names
                [(i, d, f) for i, (d, f) in enumerate(values)],
            )
        cursor.execute("CREATE TEMP TABLE bench_amount (no int PRIMARY KEY, v bigint)")
        cursor.executemany(
            "INSERT INTO bench_amount VALUES (%s, %s)", [(i, v) for i, v in enumerate(amounts)]
        )
        cursor.executemany(
            "INSERT INTO bench_fund VALUES (%s, %s, %s)",
            [(i, f.pk, a.pk) for i, (f, a) in enumerate(funds)],
        )
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'funds_ledgerentry' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        # no trigger fires (the lookup's rows are built afterwards, set-based, by
        # lookup_terms_build; the funds and accounts referenced exist by construction)
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        params = {
            "n_amounts": len(amounts),
            "n_sur": len(sur),
            "n_mid": len(mid),
            "n_giv": len(giv),
            "ph_upper": PLACEHOLDER.upper(),
            "ph_lower": PLACEHOLDER.lower(),
        }
        first = 0
        for n, (day, count) in enumerate(day_counts(rows)):
            cursor.execute(
                INSERT_DAY,
                {
                    **params,
                    "day": day,
                    "year": day.year,
                    "count": count,
                    "first": first,
                    "ref": f"FT{day:%y%m%d}",
                },
            )
            first += count
            if n % 30 == 29:
                print(f"  {first:,} lines, {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("SET session_replication_role = DEFAULT")
        print(f"  {rows:,} lines in {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in indexes:
            began = time.perf_counter()
            cursor.execute(definition)
            print(f"  index {name}: {time.perf_counter() - began:.0f} s", flush=True)
        cursor.execute(
            "SELECT fund_id, voucher_series, voucher_year, max(voucher_number) "
            "FROM funds_ledgerentry GROUP BY 1, 2, 3"
        )
        for fund_id, series, year, last in cursor.fetchall():
            VoucherCounter.objects.update_or_create(
                fund_id=fund_id, series=series, year=year, defaults={"last_number": last}
            )


def lookup_terms_build() -> None:
    """The lookup's posting lists of every receipt, by the SQL of migrations 0011 (words) and
    0013 (adjacent word pairs), a day at a time, when the fill wrote the lines with the
    triggers off; then CLUSTER (as `mattran lookup_cluster` nightly) and VACUUM ANALYZE."""
    import importlib

    words = importlib.import_module("mattran.funds.migrations.0011_lookup_postings")
    pairs = importlib.import_module("mattran.funds.migrations.0013_lookup_pairs")
    with connection.cursor() as cursor:
        cursor.execute("""SELECT count(*) FROM funds_lookupterm WHERE term COLLATE "C" < '~'""")
        if not cursor.fetchone()[0]:
            started = time.perf_counter()
            cursor.execute(words.BUILD_SQL)
            print(f"  lookup posting lists: {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("""SELECT count(*) FROM funds_lookupterm WHERE term COLLATE "C" >= '~'""")
        if not cursor.fetchone()[0]:
            started = time.perf_counter()
            cursor.execute(pairs.BUILD_SQL)
            print(f"  word pair posting lists: {time.perf_counter() - started:.0f} s", flush=True)
            started = time.perf_counter()
            cursor.execute("CLUSTER funds_lookupterm USING funds_lookup_term_newest")
            print(f"  CLUSTER posting lists: {time.perf_counter() - started:.0f} s", flush=True)
    vacuum_analyze()


def vacuum_analyze() -> None:
    started = time.perf_counter()
    pg = connection.connection
    autocommit = pg.autocommit
    pg.autocommit = True
    with pg.cursor() as cursor:
        for table in ("funds_ledgerentry", "funds_lookupterm"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    pg.autocommit = autocommit
    print(f"  VACUUM ANALYZE: {time.perf_counter() - started:.0f} s", flush=True)


def check_keys(sample: int = 2000) -> int:
    """Re-compute the search key of `sample` generated receipts in Python (the import's code)."""
    from mattran.funds import importing
    from mattran.funds.models import LedgerEntry

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM funds_ledgerentry")
        top = cursor.fetchone()[0] or 0
    rng = random.Random(3)
    ids = [rng.randrange(1, top + 1) for _ in range(sample)]
    bad = 0
    for e in LedgerEntry.objects.filter(pk__in=ids, kind="receipt"):
        if importing._search_key(e.party_name, e.memo) != e.search_key:
            bad += 1
            if bad <= 3:
                print(f"  key differs #{e.pk}: {e.search_key!r} vs {e.party_name!r} {e.memo!r}")
    if bad:
        raise SystemExit(f"{bad} generated search keys differ from the import's")
    return len(ids)


def main() -> None:
    import argparse

    from _setup import scratch_database

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with scratch_database(keep=True):
        from mattran.funds.models import LedgerEntry

        if LedgerEntry.objects.exists():
            raise SystemExit("the kept database already holds ledger lines")
        started = time.perf_counter()
        fill(args.rows)
        lookup_terms_build()
        print(f"filled {args.rows:,} lines in {time.perf_counter() - started:.0f} s")
        print(f"search keys checked: {check_keys()} rows")


if __name__ == "__main__":
    main()
