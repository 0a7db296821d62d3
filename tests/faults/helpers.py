"""Shared pieces of the fault tests: the test database's URL for subprocesses,
a large generated bank statement, parallel runners."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from urllib.parse import quote

from django.db import connection, connections

from tests.paths import STATEMENTS_DIR

VCB_SAMPLE = STATEMENTS_DIR / "vcb-0011001932418-2024-09-01_part00.csv"


def database_url() -> str:
    """The URL of the database the tests run on, for a subprocess (`mattran worker`)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    auth = quote(s["USER"] or "")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"])
    host = s["HOST"] or "127.0.0.1"
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgresql://{auth}@{host}{port}/{s['NAME']}"


def write_large_vcb(path: Path, rows: int) -> int:
    """The real VCB sample repeated to `rows` lines; every copy's memos get a suffix
    so no line is a duplicate of another. Returns the number of rows written."""
    with VCB_SAMPLE.open(encoding="utf-8-sig", newline="") as src:
        reader = csv.reader(src)
        header = next(reader)
        sample = list(reader)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        copy = 0
        while written < rows:
            for row in sample:
                if written >= rows:
                    break
                writer.writerow([*row[:5], f"{row[5]} #{copy}"])
                written += 1
            copy += 1
    return written


def run_parallel(target, n: int, timeout: float = 120) -> list[object]:
    """Run target(i) in n threads (each with its own database connection), all
    released at the same moment; returns results or the exceptions raised."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a parallel worker hung"
    return results
