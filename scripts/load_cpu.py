"""CPU seconds of a load run's server and driver (scripts/loadtest.sh).

    load_cpu.py GUNICORN_PID[,GUNICORN_PID]
        prints the CPU seconds used so far by gunicorn (each master, its live
        workers and the workers it already recycled);
    load_cpu.py --watch DATABASE_URL OUT_FILE
        until stopped, every second, the CPU seconds each PostgreSQL backend of
        the load database has used since the watch began (connections come and
        go: MATTRAN_DB_CONN_MAX_AGE), summed into OUT_FILE;
    load_cpu.py --report OUT APP_BEFORE APP_AFTER PG_FILE
        prints the CPU per request of the driver (OUT/locust.time, from
        /usr/bin/time), of gunicorn and of PostgreSQL (the watch's file) over the
        run's requests (OUT/stats.json). PostgreSQL's is a lower bound: a backend
        that closed takes its last second with it.

The driver runs on the same machine as the server: a capacity figure is the
server's only if the driver's own CPU is known and small.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlparse

TICK = os.sysconf("SC_CLK_TCK")


def cpu(pid: int, *, children: bool = False) -> float:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text.rsplit(")", 1)[1].split()
    count = 4 if children else 2  # utime stime [cutime cstime]
    return sum(int(x) for x in fields[11 : 11 + count]) / TICK


def app_cpu(masters: list[int]) -> float:
    app = 0.0
    for master in masters:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        app += cpu(master, children=True) + sum(cpu(int(p)) for p in children)
    return app


def watch(url: str, out: Path) -> None:
    import time

    import psycopg

    name = urlparse(url).path.lstrip("/")
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    started = False
    with psycopg.connect(url, autocommit=True) as conn:
        mine = conn.info.backend_pid
        while True:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s", [name, mine]
            ).fetchall()
            for (pid,) in rows:
                used = cpu(pid)
                # A backend there when the watch began counts from then on.
                first.setdefault(pid, used if not started else 0.0)
                last[pid] = used
            started = True
            out.write_text(f"{sum(last[p] - first[p] for p in last):.2f}\n")
            time.sleep(1)


def report(out: Path, app0: float, app1: float, pg_file: str) -> str:
    pg = float(Path(pg_file).read_text()) if Path(pg_file).exists() else 0.0
    user, system = (float(x) for x in (out / "locust.time").read_text().split()[-2:])
    n = json.loads((out / "stats.json").read_text())["total"]["requests"] or 1
    driver = user + system
    return (
        f"== CPU per request over {n} requests: driver (locust) {driver / n * 1000:.1f} ms, "
        f"gunicorn {(app1 - app0) / n * 1000:.1f} ms, PostgreSQL backends ≥ {pg / n * 1000:.1f} ms"
        f" (totals {driver:.0f} s, {app1 - app0:.0f} s, {pg:.0f} s)"
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--report"]:
        print(report(Path(argv[1]), float(argv[2]), float(argv[3]), argv[4]))
    elif argv[:1] == ["--watch"]:
        watch(argv[1], Path(argv[2]))
    else:
        print(f"{app_cpu([int(p) for p in argv[0].split(',') if p]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
