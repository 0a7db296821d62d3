"""Statement import: throughput, memory and where the time goes, new path beside the old one.

    MATTRAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \
        python benchmarks/funds_import.py --rows 100000 --rows 1000000 --baseline-rows 100000

For each N, a fresh process imports a file of N rows (the VCB sample repeated,
each copy's memos suffixed so that no line is a duplicate) into a new public
fund (so every line is also a leaf of the public ledger log) and prints
lines/s, the CPU seconds of the process and of its PostgreSQL backend, the
process's peak RSS, and where the wall time went:

- "stream": reading and parsing the file, per-line values (donor name, masked
  memo, search key, fingerprint) and the COPY into the staging table (the
  COPY runs in a second thread, overlapping the parsing);
- each SQL statement of the import by what it writes (INSERT … SELECT of the
  statement lines, of the ledger entries – with the lookup-term trigger and the
  foreign-key checks timed by EXPLAIN ANALYZE when --explain is given – the
  log's leaves, the tiles, ANALYZE);
- "log": the public log's whole append (leaf rows, hashes, tiles).

Baselines in the same run (same machine, same load):
- the previous import: importing.py of git revision --baseline-ref (default
  45c0690, stop 20: staging table, postings by INSERT … SELECT), loaded as
  a module of its own, on --baseline-rows rows (on today's schema);
- reading the whole file into a list first (tracemalloc peak of that list);
- booking each row with receipt_create (rows/s on --naive-rows rows).
With --profile the new path's Python side is also run under cProfile (not timed).
With --floor the largest import is followed by writing its rows again into
plain tables (write_floor): the server's CPU per line for the rows alone.
Run with MATTRAN_DEBUG=0 (Django keeps every query in memory in debug mode;
_setup sets it). Print `uptime` beside the figures: the machine is shared.
"""

import argparse
import collections
import cProfile
import csv
import importlib
import json
import os
import pstats
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types
from pathlib import Path

from _setup import ROOT, VCB_FILE, connection, make_fund, scratch_database


def replicate(rows: int, path: Path) -> None:
    """The VCB sample repeated; each copy's memos get a suffix so no line is a duplicate."""
    with VCB_FILE.open(encoding="utf-8-sig", newline="") as src:
        reader = csv.reader(src)
        header = next(reader)
        sample = list(reader)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        written, copy = 0, 0
        while written < rows:
            for row in sample:
                if written >= rows:
                    break
                writer.writerow([*row[:5], f"{row[5]} #{copy}"])
                written += 1
            copy += 1


def _backend_cpu(pid: int) -> float:
    """CPU seconds of a local PostgreSQL backend (0 when its /proc entry is not readable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def baseline_module(ref: str) -> types.ModuleType:
    """importing.py as it was at git revision `ref`, as a module beside the current one."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:src/mattran/funds/importing.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("mattran.funds._importing_baseline")
    module.__package__ = "mattran.funds"
    module.__file__ = f"<{ref}:importing.py>"
    sys.modules[module.__name__] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102 - our own file
    return module


_KINDS = (  # ANALYZE first: the tables it names would match the others
    ("analyze", re.compile(r"^\s*ANALYZE", re.I)),
    ("lines", re.compile(r"INSERT INTO funds_statementline", re.I)),
    ("entries", re.compile(r"INSERT INTO funds_ledgerentry", re.I)),
    ("leaves", re.compile(r"INSERT INTO ledgerlog_logleaf|COPY ledgerlog_logleaf", re.I)),
    ("tiles", re.compile(r"ledgerlog_logtile", re.I)),
)


class StatementClock:
    """Wall time of the import's SQL statements by what they write (Django execute_wrapper).

    With explain=True the two INSERT … SELECT statements run under EXPLAIN
    (ANALYZE, FORMAT JSON) – they still write – and their trigger times
    (lookup terms, foreign-key checks) are collected.
    """

    def __init__(self, explain: bool = False) -> None:
        self.spent: dict[str, float] = collections.defaultdict(float)
        self.triggers: dict[str, float] = collections.defaultdict(float)
        self.explain = explain

    def __call__(self, execute, sql, params, many, context):
        kind = next((k for k, pattern in _KINDS if pattern.search(sql)), "other")
        started = time.perf_counter()
        try:
            if self.explain and kind in ("lines", "entries"):
                execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params, many, context)
                plan = context["cursor"].fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                for trigger in plan[0].get("Triggers", []):
                    name = trigger["Trigger Name"]
                    name = "foreign keys" if name.startswith("RI_Constraint") else name
                    self.triggers[f"{kind}: {name}"] += trigger["Time"] / 1000
                return None
            return execute(sql, params, many, context)
        finally:
            self.spent[kind] += time.perf_counter() - started


FLOOR_TABLES = ("funds_statementline", "funds_ledgerentry", "funds_lookupterm", "ledgerlog_logleaf")


def write_floor(backend: int, lines: int) -> dict[str, float]:
    """The server's CPU per imported line just to write the rows the import wrote.

    The rows of the four tables an import grows (all of them: the scratch database
    holds this import only) are copied by INSERT … SELECT into new tables of the
    same columns, first without any index, trigger or foreign key ("heap"), then
    with the same indexes ("heap + indexes"). No per-line work of the import
    (words, postings grouping, hashes, checks) is in these figures: they are a
    lower bound of the server's share.
    """
    out: dict[str, float] = {}
    with connection.cursor() as cursor:
        for label, like in (("heap", "INCLUDING DEFAULTS"), ("heap + indexes", "INCLUDING ALL")):
            cpu0, started = _backend_cpu(backend), time.perf_counter()
            for table in FLOOR_TABLES:
                copy = f"floor_{table}"
                cursor.execute(f"DROP TABLE IF EXISTS {copy}")
                cursor.execute(f"CREATE TABLE {copy} (LIKE {table} {like})")
                cursor.execute(f"INSERT INTO {copy} SELECT * FROM {table}")  # noqa: S608
            out[f"{label}: server CPU µs/line"] = (_backend_cpu(backend) - cpu0) / lines * 1e6
            out[f"{label}: wall s"] = time.perf_counter() - started
        for table in FLOOR_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS floor_{table}")
    return out


def run_import(
    path: Path, label: str, *, impl: str, ref: str, explain: bool, profile: bool, floor_wanted=False
):
    from mattran.funds import importing
    from mattran.funds.models import LedgerEntry, StatementLine
    from mattran.ledgerlog import services as log_services
    from mattran.ledgerlog.models import LogLeaf

    module = baseline_module(ref) if impl == "baseline" else importing
    fund, account = make_fund(name=f"Quỹ {label}", number=f"9{abs(hash(label)) % 10**9}")
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    clock = StatementClock(explain=explain)
    spent_log = [0.0]
    real_listener = log_services.on_entries_booked

    def timed_listener(**kwargs):
        started = time.perf_counter()
        try:
            real_listener(**kwargs)
        finally:
            spent_log[0] += time.perf_counter() - started

    from mattran.funds import hooks

    hooks._listeners[:] = [timed_listener if f is real_listener else f for f in hooks._listeners]
    pipe = getattr(module, "_CopyPipe", None)
    if impl == "staged":  # the server's share, measured in the thread that feeds it
        pipe.timings, pipe.explain = collections.defaultdict(float), explain
    profiler = cProfile.Profile() if profile else None
    server0, cpu0, started = _backend_cpu(backend), time.process_time(), time.perf_counter()
    with connection.execute_wrapper(clock):
        if profiler:
            profiler.enable()
        imp = module.statement_import_run(
            actor=None, account=account, path=path, file_name=path.name, layout_code="vcb"
        )
        if profiler:
            profiler.disable()
    elapsed = time.perf_counter() - started
    cpu, server = time.process_time() - cpu0, _backend_cpu(backend) - server0
    # every line booked: a receipt per credit, a payment per debit, each a leaf of the log
    assert StatementLine.objects.filter(account=account).count() == imp.rows_read
    booked = LedgerEntry.objects.filter(fund=fund, statement_line__isnull=False).count()
    assert booked == imp.receipts_created + imp.debits == imp.rows_read
    assert (
        LogLeaf.objects.filter(
            source=1, source_id__in=LedgerEntry.objects.filter(fund=fund).values("pk")
        ).count()
        == booked + 1
    )  # + the opening balance
    floor = write_floor(backend, imp.rows_read) if floor_wanted else {}
    result = {
        "floor": floor,
        "impl": impl,
        "ref": ref,
        "rows": imp.rows_read,
        "receipts": imp.receipts_created,
        "seconds": elapsed,
        "python_cpu": cpu,
        "server_cpu": server,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "sql": dict(clock.spent),
        "triggers": dict(clock.triggers),
        "pipe": dict(pipe.timings or {}) if impl == "staged" else {},
        "log": spent_log[0],
        "load": os.getloadavg(),
    }
    if profiler:
        stats = pstats.Stats(profiler)
        top = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:14]
        result["profile"] = [
            (f"{Path(f).name}:{line}({name})", round(tt, 2))
            for (f, line, name), (_, _, tt, *_) in top
        ]
    return result


def child(args) -> None:
    """One import in this (fresh) process; prints its figures as JSON."""
    with scratch_database():
        result = run_import(
            args.child,
            f"{args.impl}-{args.child.stem}",
            impl=args.impl,
            ref=args.baseline_ref,
            explain=args.explain,
            profile=args.profile,
            floor_wanted=args.floor,
        )
    print(json.dumps(result))


def measure(path: Path, impl: str, ref: str, *, explain=False, profile=False, floor=False) -> dict:
    args = [sys.executable, __file__, "--child", str(path), "--impl", impl, "--baseline-ref", ref]
    args += ["--explain"] * explain + ["--profile"] * profile + ["--floor"] * floor
    out = subprocess.run(args, check=True, capture_output=True, text=True, env=os.environ).stdout
    return json.loads(out.strip().splitlines()[-1])


def report(r: dict) -> None:
    name = "set-based (staging table)" if r["impl"] == "staged" else f"previous ({r['ref']})"
    rate = r["rows"] / r["seconds"]
    cpu = r["python_cpu"] + r["server_cpu"]
    print(
        f"{name:27} {r['rows']:>9,} lines ({r['receipts']:,} receipts) in {r['seconds']:6.1f} s"
        f" = {rate:>8,.0f} lines/s; CPU: Python {r['python_cpu']:.1f} s, PostgreSQL backend "
        f"{r['server_cpu']:.1f} s ({r['rows'] / cpu:,.0f} lines per CPU-second); peak RSS "
        f"{r['peak_rss'] / 2**20:.0f} MiB; load {r['load'][0]:.1f}"
    )
    sql = r["sql"]
    stream = (
        r["seconds"]
        - sum(sql.values())
        - max(0.0, r["log"] - sql.get("leaves", 0) - sql.get("tiles", 0))
    )
    parts = [f"stream (parse, per-line values, COPY) {stream:.1f} s"]
    parts += [f"{k} {v:.1f} s" for k, v in sorted(sql.items(), key=lambda kv: -kv[1]) if v >= 0.05]
    parts.append(f"whole log append {r['log']:.1f} s")
    print("    where the wall time went: " + "; ".join(parts))
    if r["pipe"]:
        from mattran.funds.importing import _THREAD_CPU

        thread_cpu = r["pipe"].pop(_THREAD_CPU, 0.0)
        busy = sum(v for k, v in r["pipe"].items() if ": trigger" not in k)
        print(
            f"    the COPY/INSERT thread was busy {busy:.1f} s of the {r['seconds']:.1f} s "
            "(the rest of the wall time is the parsing thread's: read, parse, per-line values):"
        )
        for name, seconds in sorted(r["pipe"].items(), key=lambda kv: -kv[1]):
            print(f"      {name}: {seconds:.1f} s")
        print(
            f"    Python CPU by thread: parsing thread {r['python_cpu'] - thread_cpu:.1f} s "
            f"({(r['python_cpu'] - thread_cpu) / r['rows'] * 1e6:.0f} µs/line), COPY thread "
            f"{thread_cpu:.1f} s; PostgreSQL {r['server_cpu'] / r['rows'] * 1e6:.0f} µs/line"
        )
    for name, seconds in sorted(r["triggers"].items(), key=lambda kv: -kv[1]):
        print(f"    trigger {name}: {seconds:.1f} s")
    for name, value in r.get("floor", {}).items():
        print(f"    floor, the same rows written again by INSERT … SELECT, {name}: {value:.1f}")
    for name, seconds in r.get("profile", []):
        print(f"    python {name}: {seconds:.2f} s (own time)")


def python_parts(path: Path, limit: int = 50_000) -> None:
    """CPU per line of each Python step of the import (no database), on the first lines."""
    import hashlib
    from itertools import islice

    from mattran.funds import importing
    from mattran.funds.statement_formats import (
        _fingerprint_data,
        _fold,
        donor_name,
        get_layout,
        iter_lines,
    )

    layout = get_layout("vcb")
    started = time.process_time()
    lines = list(islice(iter_lines(path, layout), limit))
    steps = [("read and parse the CSV (iter_lines)", time.process_time() - started)]

    def step(label, function):
        started = time.process_time()
        out = [function(line) for line in lines]
        steps.append((label, time.process_time() - started))
        return out

    step(
        "fingerprint (SHA-256 of the fields)",
        lambda line: hashlib.sha256(_fingerprint_data(line, normalized=True).encode()).hexdigest(),
    )
    names = step("donor name (donor_name)", lambda line: donor_name(line, layout) or "")
    masked = step("masking the memo (mask_personal)", lambda line: importing._mask(line.memo))
    pairs = list(zip(names, masked, strict=True))
    started = time.process_time()
    for name, memo in pairs:
        importing._key_and_terms(name, memo)
        _fold(name)
    steps.append(("search key, lookup terms, party key", time.process_time() - started))
    for label, seconds in steps:
        print(f"    python CPU, {label}: {seconds / len(lines) * 1e6:.1f} µs/line")
    total = sum(s for _, s in steps) / len(lines) * 1e6
    print(f"    python CPU, these steps together: {total:.1f} µs/line")


def naive_memory(path: Path) -> int:
    from mattran.funds.statement_formats import get_layout, iter_lines

    tracemalloc.start()
    lines = list(iter_lines(path, get_layout("vcb")))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del lines
    return peak


def naive_rows_per_second(n: int) -> float:
    from mattran.funds import services
    from mattran.funds.statement_formats import donor_name, get_layout, iter_lines

    fund, account = make_fund(name="Quỹ naive", number="123123123")
    layout = get_layout("vcb")
    started = time.perf_counter()
    done = 0
    for line in iter_lines(VCB_FILE, layout):
        if done >= n:
            break
        if line.credit:
            services.receipt_create(
                actor=None,
                fund=fund,
                amount=line.credit,
                booked_on=line.booked_on,
                party_name=donor_name(line, layout) or "",
                memo=line.memo,
                account=account,
            )
        done += 1
    return done / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, action="append", help="repeat for several sizes")
    parser.add_argument("--baseline-rows", type=int, action="append", default=[])
    parser.add_argument("--baseline-ref", default="45c0690")
    parser.add_argument("--naive-rows", type=int, default=0)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--floor", action="store_true", help="server CPU to write the rows alone")
    parser.add_argument("--files", type=Path, help="keep the generated files here")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--impl", default="staged", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL (MATTRAN_DATABASE_URL=postgresql://…).")
    sizes = args.rows or [100_000]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.files or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"database: {connection.vendor}; {os.cpu_count()} CPUs; load {os.getloadavg()}")
        paths = {}
        for rows in sorted(set(sizes) | set(args.baseline_rows)):
            path = paths[rows] = folder / f"vcb-{rows}.csv"
            if not path.exists():
                replicate(rows, path)
        for rows in sorted(set(sizes) | set(args.baseline_rows)):
            if rows in args.baseline_rows:
                report(measure(paths[rows], "baseline", args.baseline_ref, explain=args.explain))
            if rows in sizes:
                report(
                    measure(
                        paths[rows],
                        "staged",
                        args.baseline_ref,
                        explain=args.explain,
                        floor=args.floor and rows == max(sizes),
                    )
                )
                if args.profile:
                    print("  (profile run, not timed:)")
                    report(measure(paths[rows], "staged", args.baseline_ref, profile=True))
        print(f"Python steps per line (CPU, first 50,000 lines of {paths[min(sizes)].name}):")
        python_parts(paths[min(sizes)])
        if args.naive_rows:
            with scratch_database():
                rows = min(sizes)
                print(
                    f"naive baseline, whole file in a list ({rows:,} rows): tracemalloc peak "
                    f"{naive_memory(paths[rows]) / 2**20:.1f} MiB"
                )
                print(
                    f"naive baseline, receipt_create per row ({args.naive_rows:,} rows): "
                    f"{naive_rows_per_second(args.naive_rows):,.0f} rows/s"
                )
        print(f"load at the end: {os.getloadavg()}")


if __name__ == "__main__":
    importlib.invalidate_caches()
    main()
