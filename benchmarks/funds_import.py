"""Statement import: throughput and memory on the VCB sample replicated to N rows.

    MATTRAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \
        python benchmarks/funds_import.py --rows 200000 --rows 1000000

For each N, a fresh process imports a file of N rows (the VCB sample repeated,
each copy's memos suffixed so that no line is a duplicate) into a new fund and
prints rows/s, the CPU seconds of the process and of its PostgreSQL backend,
and the process's peak RSS; with --tracemalloc it also imports once more under
tracemalloc and prints the peak of Python allocations (slower; not timed).
Flat memory: the peaks barely differ between sizes. Next to them, in the same
run, two naive baselines: reading the whole file into a list first (tracemalloc
peak of that list) and booking each row with receipt_create (throughput, on a
small slice). Run with MATTRAN_DEBUG=0 (Django keeps every query in memory in
debug mode; _setup sets it).
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from _setup import VCB_FILE, connection, make_fund, scratch_database


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


def run_import(path: Path, label: str, *, trace: bool = False) -> dict:
    from mattran.funds import importing
    from mattran.funds.models import LedgerEntry, StatementLine

    fund, account = make_fund(name=f"Quỹ {label}", number=f"9{abs(hash(label)) % 10**9}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    if trace:
        tracemalloc.start()
    server0, cpu0, started = _backend_cpu(backend), time.process_time(), time.perf_counter()
    imp = importing.statement_import_run(
        actor=None, account=account, path=path, file_name=path.name, layout_code="vcb"
    )
    elapsed = time.perf_counter() - started
    cpu, server = time.process_time() - cpu0, _backend_cpu(backend) - server0
    traced = tracemalloc.get_traced_memory()[1] if trace else None
    tracemalloc.stop()
    assert StatementLine.objects.filter(account=account).count() == imp.rows_read
    # every line booked: a receipt per credit, a payment per debit (and the opening balance)
    booked = LedgerEntry.objects.filter(fund=fund, statement_line__isnull=False).count()
    assert booked == imp.receipts_created + imp.debits == imp.rows_read
    return {
        "rows": imp.rows_read,
        "receipts": imp.receipts_created,
        "seconds": elapsed,
        "python_cpu": cpu,
        "server_cpu": server,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "traced_peak": traced,
    }


def child(path: Path, trace: bool) -> None:
    """One import in this (fresh) process; prints its figures as JSON."""
    with scratch_database():
        print(json.dumps(run_import(path, path.stem, trace=trace)))


def measure(path: Path, trace: bool = False) -> dict:
    args = [sys.executable, __file__, "--child", str(path)] + (["--tracemalloc"] if trace else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True, env=os.environ).stdout
    return json.loads(out.strip().splitlines()[-1])


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
    parser.add_argument("--naive-rows", type=int, default=1_000)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.tracemalloc)
    sizes = args.rows or [200_000]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"database: {connection.vendor}; {os.cpu_count()} CPUs; load {os.getloadavg()}")
        paths = {}
        for rows in sizes:
            path = paths[rows] = Path(tmp) / f"vcb-{rows}.csv"
            replicate(rows, path)
            r = measure(path)
            print(
                f"streaming import {r['rows']:>9,} rows ({r['receipts']:,} receipts) in "
                f"{r['seconds']:6.1f} s = {r['rows'] / r['seconds']:>7,.0f} rows/s; CPU: Python "
                f"{r['python_cpu']:.1f} s, PostgreSQL backend {r['server_cpu']:.1f} s; "
                f"peak RSS {r['peak_rss'] / 2**20:.0f} MiB"
            )
            if args.tracemalloc:
                t = measure(path, trace=True)
                print(f"  tracemalloc peak of the import: {t['traced_peak'] / 2**20:.1f} MiB")
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


if __name__ == "__main__":
    main()
