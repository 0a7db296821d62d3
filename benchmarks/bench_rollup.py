"""Roll-up benchmark at national scale on PostgreSQL (not run as a test).

Builds the 2025 structure — 34 provinces, 3,321 communes (the national count
after 1 July 2025; names and codes are synthetic: the repository holds no
national unit list), ~100,000 residential areas — and N activity records
(default 10 million) over 2024–2025, plus mediation cases, then times in one
run the 9-month report (with the same period a year earlier) for the nation,
one province and one commune — the figures engine alone for the catalogue's
keys, and the whole report — with the real code (`reports.selectors.
report_build` -> the figures engine), which reads the summary tables, against
today's raw roll-up (the same call inside `figures.records.raw_rollup()`: one
UNION ALL statement over the records of the subtree), and checks that both give
the same figures. `--naive` adds the older baseline, a loop with one ORM query
per unit.

    MATTRAN_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_reports \\
    MATTRAN_REDIS_URL=redis://127.0.0.1:6379/0 \\
        python benchmarks/bench_rollup.py [--records 10000000] [--rebuild] [--build-only] \\
            [--period 2025-01-15..2025-09-20]

With MATTRAN_REDIS_URL, as in production, the data versions are on: what does not
change with records (report definitions, the catalogue, a unit's children) is kept per
process, and before every timed run a write is simulated (`fresh`), so the figures
are always computed afresh, never read from the figures cache. Times are medians and
95th percentiles of --repeat runs (raw roll-up: at most 3).

The database is created if missing and reused between runs (the data set is
built once; --rebuild drops it). Records are loaded with the summary triggers
off, then the summaries are computed once by `summaries_rebuild` (what
`mattran figures_rebuild` runs; its time is printed). Run from the repository
root with src/ on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

PROVINCES = 34
COMMUNES = 3321
AREAS_PER_COMMUNE = 30  # 99,630 residential areas
VERSION = "bench-2025"


def setup_django(url: str) -> None:
    os.environ["MATTRAN_DATABASE_URL"] = url
    os.environ["MATTRAN_DEBUG"] = "0"  # no query log: time what production runs
    os.environ.setdefault("MATTRAN_SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
    os.environ.setdefault("MATTRAN_DATA_DIR", "/tmp/mattran-bench")
    import django

    django.setup()


def ensure_database(url: str, rebuild: bool) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def build(records: int) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection, transaction

    from mattran.units.models import Level, StructureVersion, Unit
    from mattran.units.services import unit_paths_assign

    call_command("migrate", verbosity=0)
    if StructureVersion.objects.filter(code=VERSION).exists():
        print("Dữ liệu đã có, dùng lại (--rebuild để tạo lại).")
        return
    t0 = time.perf_counter()
    with transaction.atomic():
        version = StructureVersion.objects.create(
            code=VERSION, name="Địa giới 2025 (benchmark)", valid_from=dt.date(2024, 1, 1)
        )
        provinces = [
            Unit(
                version=version,
                level=Level.PROVINCE,
                kind="Tỉnh",
                name=f"Tỉnh {i:02d}",
                code=f"P{i:02d}",
            )
            for i in range(1, PROVINCES + 1)
        ]
        unit_paths_assign(provinces)
        communes = [
            Unit(
                version=version,
                parent=provinces[i % PROVINCES],
                level=Level.COMMUNE,
                kind="Xã",
                name=f"Xã {i:05d}",
                code=f"C{i:05d}",
            )
            for i in range(COMMUNES)
        ]
        unit_paths_assign(communes)
    print(f"  34 tỉnh, {COMMUNES} xã: {time.perf_counter() - t0:.1f}s")
    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute(
            """
            INSERT INTO units_unit (version_id, parent_id, level, kind, name, code, path,
                                    search_key)
            SELECT c.version_id, c.id, 4, 'Tổ dân phố', 'Tổ ' || g, '',
                   '~' || c.id || '-' || g, 'to ' || g
            FROM units_unit c CROSS JOIN generate_series(1, %s) g
            WHERE c.version_id = %s AND c.level = 3
            """,
            [AREAS_PER_COMMUNE, version.pk],
        )
        cur.execute(
            """
            UPDATE units_unit a SET path = p.path || a.id || '/'
            FROM units_unit p WHERE a.parent_id = p.id AND a.path LIKE '~%%'
            """
        )
        print(f"  {COMMUNES * AREAS_PER_COMMUNE} khu dân cư: {time.perf_counter() - t0:.1f}s")
        # A bulk load: the summary triggers are off and the summaries computed once at
        # the end (`summaries_rebuild`), as `mattran figures_rebuild` does.
        for table in ("activities_activityrecord", "activities_mediationcase"):
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cur.execute("SELECT id, code FROM activities_activitytype ORDER BY id")
        types = cur.fetchall()
        cur.execute(
            "CREATE TEMP TABLE bench_units AS SELECT row_number() OVER (ORDER BY id) AS n, id, "
            "path FROM units_unit WHERE version_id = %s AND level >= 3",
            [version.pk],
        )
        cur.execute("SELECT count(*) FROM bench_units")
        n_units = cur.fetchone()[0]
        type_ids = "ARRAY[" + ",".join(str(t[0]) for t in types) + "]"
        propaganda = next(t[0] for t in types if t[1] == "tuyen_truyen")
        batch = 1_000_000
        t0 = time.perf_counter()
        for start in range(0, records, batch):
            size = min(batch, records - start)
            # Records spread over all communes and residential areas and over 2024–2025.
            cur.execute(
                f"""
                INSERT INTO activities_activityrecord (unit_id, unit_path, type_id, date, title,
                    notes, attendance, subject, attachment, search_key, created_at, updated_at)
                SELECT u.id, u.path, t.type_id,
                       DATE '2024-01-01' + ((g * 7919) %% 730)::int,
                       'Hoạt động ' || g, '',
                       CASE WHEN t.type_id = {propaganda} THEN 20 + (g %% 180) END,
                       '', '', 'hoat dong ' || g, now(), now()
                FROM generate_series(%s::bigint, %s::bigint) g
                JOIN bench_units u ON u.n = 1 + (g * 104729) %% %s
                CROSS JOIN LATERAL (SELECT ({type_ids})[1 + (g %% {len(types)})] AS type_id) t
                """,
                [start + 1, start + size, n_units],
            )
            print(f"  {start + size:>10,} hoạt động: {time.perf_counter() - t0:.0f}s", flush=True)
        cur.execute(
            """
            INSERT INTO activities_mediationcase (unit_id, unit_path, received_on, title, outcome,
                closed_on, notes, created_at, updated_at)
            SELECT u.id, u.path, DATE '2024-01-01' + (g %% 700)::int, 'Vụ việc ' || g,
                   CASE WHEN g %% 10 = 0 THEN 'pending' WHEN g %% 10 = 1 THEN 'failed'
                        ELSE 'resolved' END,
                   CASE WHEN g %% 10 = 0 THEN NULL
                        ELSE DATE '2024-01-01' + (g %% 700)::int + 12 END,
                   '', now(), now()
            FROM generate_series(1, %s::bigint) g JOIN bench_units u ON u.n = 1 + (g * 7919) %% %s
            """,
            [max(records // 20, 1), n_units],
        )
        for table in ("activities_activityrecord", "activities_mediationcase"):
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    from mattran.figures.summaries import summaries_rebuild

    t0 = time.perf_counter()
    counts = summaries_rebuild()
    print(
        f"  bảng tổng hợp (figures_rebuild): {time.perf_counter() - t0:.0f}s, "
        + ", ".join(f"{t.removeprefix('figures_')} {n:,} dòng" for t, n in counts.items())
    )
    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute("ANALYZE")
        print(f"  ANALYZE: {time.perf_counter() - t0:.0f}s")


def build_ledger(entries: int) -> None:
    """Funds and their ledger, the shape of a realistic national ledger: a "poor" fund for
    each province and commune and a "sea_islands" fund for each commune (6,676 funds), and
    `entries` lines over 2024–2025 (60 % receipts, 35 % disbursements over 7 purposes with
    quantities), loaded with the figures triggers off, then the ledger summary computed
    once (`summaries_rebuild`, as `mattran figures_rebuild`). Skipped when the funds
    exist."""
    from django.db import connection

    from mattran.figures.summaries import summaries_rebuild

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM funds_fund")
        if cur.fetchone()[0]:
            cur.execute("SELECT count(*) FROM funds_ledgerentry")
            print(f"  Sổ quỹ đã có ({cur.fetchone()[0]:,} bút toán), dùng lại.")
            return
        t0 = time.perf_counter()
        cur.execute("SET work_mem = '256MB'")
        cur.execute(
            """
            INSERT INTO funds_fund (name, kind, opened_on, closed_on, description, is_public,
                                    created_at, unit_id)
            SELECT 'Quỹ Vì người nghèo ' || u.code, 'poor', DATE '2023-01-01',
                   CAST(NULL AS date), '', true, now(), u.id
            FROM units_unit u WHERE u.level IN (1, 3)
            UNION ALL
            SELECT 'Quỹ Vì biển, đảo ' || u.code, 'sea_islands', DATE '2023-01-01', NULL, '',
                   true, now(), u.id
            FROM units_unit u WHERE u.level = 3
            """
        )
        cur.execute(
            "CREATE TEMP TABLE bench_funds AS SELECT row_number() OVER (ORDER BY id) AS n, id "
            "FROM funds_fund"
        )
        cur.execute("SELECT count(*) FROM bench_funds")
        n_funds = cur.fetchone()[0]
        # the figures layer's triggers off for the load (the ledger's own stay on)
        triggers = [
            f"{table}_{op}"
            for table in ("ledgersummary", "ledgerquartersummary")
            for op in ("ledgerentry_ins", "trunc")
        ]
        for name in triggers:
            cur.execute(f"ALTER TABLE funds_ledgerentry DISABLE TRIGGER {name}")
        batch = 1_000_000
        for start in range(0, entries, batch):
            size = min(batch, entries - start)
            cur.execute(
                """
                INSERT INTO funds_ledgerentry (kind, sign, amount, booked_on, party_name,
                    party_kind, channel, reference, memo, search_key, party_key, purpose,
                    beneficiaries, quantity, voucher_series, created_at, fund_id)
                SELECT CASE WHEN g %% 20 < 12 OR g %% 20 = 19 THEN 'receipt'
                            ELSE 'disbursement' END,
                       CASE WHEN g %% 20 < 12 OR g %% 20 = 19 THEN 1 ELSE -1 END,
                       100000 + (g %% 1000) * 1000,
                       DATE '2024-01-01' + ((g * 104729) %% 730)::int,
                       '', '', '', '', '', '', '',
                       CASE WHEN g %% 20 < 12 OR g %% 20 = 19 THEN ''
                            ELSE (ARRAY['gifts', 'medical', 'zero_market', 'house_build',
                                        'house_repair', 'scholarships', 'relief'])[1 + (g %% 7)]
                       END,
                       '',
                       CASE WHEN g %% 20 < 12 OR g %% 20 = 19 THEN NULL ELSE 1 + (g %% 5) END,
                       '', now(), f.id
                FROM generate_series(%s::bigint, %s::bigint) g
                JOIN bench_funds f ON f.n = 1 + (g * 7919) %% %s
                """,
                [start + 1, start + size, n_funds],
            )
            print(f"  {start + size:>10,} bút toán: {time.perf_counter() - t0:.0f}s", flush=True)
        for name in triggers:
            cur.execute(f"ALTER TABLE funds_ledgerentry ENABLE TRIGGER {name}")
    t0 = time.perf_counter()
    tables = ["figures_ledgersummary", "figures_ledgerquartersummary"]
    counts = summaries_rebuild(tables)
    print(
        f"  tổng hợp sổ quỹ (figures_rebuild): {time.perf_counter() - t0:.0f}s, "
        + ", ".join(f"{t.removeprefix('figures_')} {counts[t]:,} dòng" for t in tables)
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE funds_fund; ANALYZE funds_ledgerentry")
        for table in tables:
            cur.execute(f"ANALYZE {table}")


def fresh() -> None:
    """A write just happened: the data-versioned figures cache misses (a ledger write
    bumps the version every computation's key holds), so every timed report computes
    its figures afresh, as the first page after an entry does. What does not change with
    records (templates, indicators, the catalogue, a unit's children: `ref` and `sv:`)
    stays in the process, as in production."""
    from mattran.core import versions

    if versions.enabled():
        versions._bump_now([versions.LEDGER])


def timed(fn, repeat: int = 3) -> tuple[float, float, object]:
    """(median, 95th percentile, last result) of `repeat` runs after a warm-up, each
    after a write (`fresh`)."""
    fresh()
    fn()  # warm-up (process caches, plans)
    times, result = [], None
    for _ in range(repeat):
        fresh()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, result


def naive(unit, version, period, sample: int | None):
    """Per-unit ORM loop: for every unit of the subtree, one query for its own records."""
    from django.db.models import Count, Q, Sum

    from mattran.activities.models import ActivityRecord
    from mattran.units.models import Unit

    units = Unit.objects.filter(version=version)
    if unit is not None:
        units = units.filter(Unit.subtree_q(unit.path))
    ids = list(units.values_list("id", flat=True))
    scale = 1.0
    if sample and len(ids) > sample:
        scale = len(ids) / sample
        ids = ids[:: len(ids) // sample][:sample]
    totals: dict[int, list[int]] = {}
    for uid in ids:
        rows = (
            ActivityRecord.objects.filter(unit_id=uid)
            .filter(Q(date__range=(period.start, period.end)))
            .values("type_id")
            .annotate(n=Count("id"), att=Sum("attendance"))
        )
        for r in rows:
            t = totals.setdefault(r["type_id"], [0, 0])
            t[0] += r["n"]
            t[1] += r["att"] or 0
    return totals, scale, len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", action="store_true", help="build the data set and stop")
    parser.add_argument(
        "--repeat", type=int, default=21, help="timed runs per figure (median, p95)"
    )
    parser.add_argument("--naive", action="store_true", help="also time the per-unit ORM loop")
    parser.add_argument(
        "--ledger",
        type=int,
        default=0,
        help="also build the funds and N ledger entries (3000000: 6,676 funds, ~450 lines "
        "each over two years); a database that has funds keeps its ledger",
    )
    parser.add_argument(
        "--period",
        default="2025-9M",
        help="the report's period: 2025-9M, or a free range 2025-01-15..2025-09-20 (its whole "
        "months read the summaries, its edge days the records)",
    )
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=3000,
        help="units sampled for the naive loop on big subtrees (time is extrapolated)",
    )
    args = parser.parse_args()
    url = os.environ.get(
        "MATTRAN_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_reports"
    )
    ensure_database(url, args.rebuild)
    setup_django(url)
    build(args.records)
    if args.ledger:
        build_ledger(args.ledger)
    if args.build_only:
        return

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mattran.core.periods import Period
    from mattran.figures.engine import figures_compute
    from mattran.figures.records import raw_rollup
    from mattran.figures.scope import scope_build
    from mattran.reports.models import Indicator
    from mattran.reports.selectors import report_build
    from mattran.units.models import StructureVersion, Unit
    from mattran.wsgi import startup_freeze

    startup_freeze()  # what a web worker does at start (wsgi.py)
    version = StructureVersion.objects.get(code=VERSION)
    period = Period.parse(args.period)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM activities_activityrecord")
        total = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM units_unit WHERE version_id = %s AND level = 3", [version.pk]
        )
        communes = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM figures_activitysummary")
        summary_rows = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM funds_ledgerentry")
        ledger_rows = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM funds_fund")
        fund_count = cur.fetchone()[0]
    province = Unit.objects.filter(version=version, level=1).order_by("path").first()
    commune = Unit.objects.filter(version=version, level=3).order_by("path").first()
    print(
        f"\n{total:,} hoạt động, {communes:,} xã, {summary_rows:,} dòng tổng hợp hoạt động; "
        f"kỳ {period.label} so với cùng kỳ năm trước; trung vị của {args.repeat} lần"
    )
    print(f"sổ quỹ: {ledger_rows:,} bút toán, {fund_count:,} quỹ")
    from mattran.core import versions

    print(
        "bộ nhớ đệm theo phiên bản dữ liệu: "
        + (
            "bật (Redis); mỗi lần đo sau một lần ghi: số liệu tính lại"
            if versions.enabled()
            else "TẮT (không có MATTRAN_REDIS_URL): định nghĩa báo cáo đọc lại mỗi lần"
        )
    )
    print(f"tải hệ thống lúc đầu (1, 5, 15 phút): {_load()}\n")
    keys = sorted({i.figure_key for i in Indicator.objects.filter(active=True)})
    head = (
        f"{'phạm vi':<14}{'bộ tính số liệu':>17}{'truy vấn':>10}"
        f"{'báo cáo':>11}{'p95':>10}{'truy vấn':>10}{'cuộn thô':>12}{'truy vấn':>10}"
    )
    if args.naive:
        head += f"{'vòng lặp từng đơn vị':>26}{'số đơn vị':>12}"
    print(head)
    for label, unit in (("toàn quốc", None), (province.name, province), (commune.name, commune)):

        def run(u=unit):
            return report_build(user=None, unit=u, period=period, version=version)

        def run_raw(u=unit):
            with raw_rollup():
                return report_build(user=None, unit=u, period=period, version=version)

        def run_engine(u=unit):
            scope = scope_build(unit=u, version=version)
            return figures_compute(
                user=None, scope=scope, periods=[period, period.previous_year()], keys=keys
            )

        def count(fn) -> int:
            fresh()
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as ctx:
                fn()
            return len(ctx.captured_queries)

        engine_seconds, _, _ = timed(run_engine, args.repeat)
        seconds, p95, report = timed(run, args.repeat)
        # counted before the raw roll-up: its national runs outlast the per-process
        # definitions' bound (PROCESS_TTL), which would add their reads to the count
        counts = [count(run_engine), count(run)]
        raw_seconds, _, raw_report = timed(run_raw, max(1, min(args.repeat, 3)))
        counts.append(count(run_raw))
        # the two ways must give the same report, figure by figure
        for code, fig in report.figures.items():
            other = raw_report.figures[code]
            assert (fig.totals, fig.cells) == (other.totals, other.cells), code
        line = (
            f"{label:<14}{engine_seconds * 1000:>15.1f}ms{counts[0]:>10}"
            f"{seconds * 1000:>9.1f}ms{p95 * 1000:>8.1f}ms{counts[1]:>10}"
            f"{raw_seconds * 1000:>10.0f}ms{counts[2]:>10}"
        )
        if args.naive:
            naive_seconds, _, (totals, scale, n) = timed(
                lambda u=unit: naive(u, version, period, args.naive_sample), repeat=1
            )
            estimate = naive_seconds * scale
            note = " (ước tính)" if scale > 1 else ""
            line += f"{estimate * 1000:>14.0f}ms{note:<10}{int(n * scale):>12,}"
            if scale == 1:  # the two ways must agree
                tt = report.figures["tuyen_truyen"].totals[0]
                naive_tt = sum(v[0] for k, v in totals.items() if k == _type_id("tuyen_truyen"))
                assert tt == naive_tt, (tt, naive_tt)
        print(line, flush=True)
    print(f"\ntải hệ thống lúc cuối (1, 5, 15 phút): {_load()}")
    print("Hai cách cho cùng số liệu ở cả ba phạm vi.")


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _type_id(code: str) -> int:
    from mattran.activities.models import ActivityType

    return ActivityType.objects.get(code=code).pk


if __name__ == "__main__":
    main()
