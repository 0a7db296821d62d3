"""CPU seconds of a load run's server and driver (scripts/loadtest.sh).

    load_cpu.py GUNICORN_PID[,GUNICORN_PID] DATABASE_URL
        prints "APP PG": CPU seconds used so far by gunicorn (each master, its live
        workers and the workers it already recycled) and by the PostgreSQL
        backends connected to the load database;
    load_cpu.py --report OUT APP_BEFORE APP_AFTER PG_BEFORE PG_AFTER
        prints the CPU per request of the driver (OUT/locust.time, from
        /usr/bin/time), of gunicorn and of PostgreSQL over the run's requests
        (OUT/stats.json). PostgreSQL's is a lower bound: a backend that closed
        during the run (a worker recycled, a connection past its age) takes its
        CPU time with it.

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


def server(masters: list[int], url: str) -> tuple[float, float]:
    import psycopg

    app = 0.0
    for master in masters:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        app += cpu(master, children=True) + sum(cpu(int(p)) for p in children)
    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return app, sum(cpu(r[0]) for r in rows)


def report(out: Path, app0: float, app1: float, pg0: float, pg1: float) -> str:
    pg = max(pg1 - pg0, 0.0)
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
        print(report(Path(argv[1]), *(float(x) for x in argv[2:6])))
    else:
        app, pg = server([int(p) for p in argv[0].split(",") if p], argv[1])
        print(f"{app:.2f} {pg:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
