"""Summarise where the time of a load run went, per request type.

    python scripts/load_profile.py loadtest/out/profile.jsonl [--stats loadtest/out/stats.json]

Reads the lines written by ``mattran.core.profiling.RequestProfileMiddleware``
(``scripts/loadtest.sh`` turns it on) and prints, per request type and method
(a form POST and the page it redirects to are two lines of the same type):
how many, the server's wall time (median, p95), and what it was made of at the
median: CPU time of the worker (Python, templates, driver), time in SQL and the
number of statements, time in row-lock statements (p95). With ``--stats``
(locust's figures, written by the locustfile) it adds the client's median and
p95 and the difference: the time the request waited for a free worker (queue)
plus the network on loopback.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def summarise(lines: list[dict]) -> list[dict]:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for line in lines:
        groups[(line["name"], line.get("method", ""))].append(line)
    rows = []
    for (name, method), items in sorted(groups.items()):

        def col(key, items=items):
            return [float(i[key]) for i in items]

        rows.append(
            {
                "name": name,
                "method": method,
                "n": len(items),
                "wall_med": statistics.median(col("wall_ms")),
                "wall_p95": pct(col("wall_ms"), 0.95),
                "cpu_med": statistics.median(col("cpu_ms")),
                "sql_med": statistics.median(col("sql_ms")),
                "sql_n_med": statistics.median(col("sql_n")),
                "sql_n_max": max(col("sql_n")),
                "lock_p95": pct(col("lock_ms"), 0.95),
                "errors": sum(1 for i in items if i["status"] >= 500),
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--stats", type=Path)
    args = parser.parse_args()
    lines = [json.loads(x) for x in args.profile.read_text("utf-8").splitlines() if x.strip()]
    rows = summarise(lines)
    client = {}
    if args.stats and args.stats.exists():
        client = {e["name"]: e for e in json.loads(args.stats.read_text("utf-8"))["entries"]}
    server_by_name: dict[str, float] = defaultdict(float)
    for r in rows:
        server_by_name[r["name"]] += r["wall_med"]

    print("\n## Where the time goes (server side, per worker; ms)\n")
    print(
        "| request | method | n | wall med | wall p95 | CPU med | SQL med | SQL stmts med/max "
        "| lock p95 | 5xx |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['name']} | {r['method']} | {r['n']} | {r['wall_med']:.0f} | {r['wall_p95']:.0f} "
            f"| {r['cpu_med']:.0f} | {r['sql_med']:.0f} "
            f"| {r['sql_n_med']:.0f}/{r['sql_n_max']:.0f} | {r['lock_p95']:.0f} | {r['errors']} |"
        )
    if client:
        print("\n## Client time against server time (ms, medians)\n")
        print("| request | client med | client p95 | server med (all hops) | waiting + network |")
        print("|---|---:|---:|---:|---:|")
        for name, entry in sorted(client.items()):
            server = server_by_name.get(name)
            if server is None:
                continue
            print(
                f"| {name} | {entry['median_ms']:.0f} | {entry['p95_ms']:.0f} | {server:.0f} "
                f"| {max(0.0, entry['median_ms'] - server):.0f} |"
            )
    busy = sum(line["wall_ms"] for line in lines) / 1000
    cpu = sum(line["cpu_ms"] for line in lines) / 1000
    sql = sum(line["sql_ms"] for line in lines) / 1000
    if lines:
        span = max(line["start"] for line in lines) - min(line["start"] for line in lines)
        print(
            f"\n{len(lines)} requests over {span:.0f} s; worker-seconds busy {busy:.0f} "
            f"(CPU {cpu:.0f}, SQL {sql:.0f}); per request: {busy / len(lines) * 1000:.0f} ms busy, "
            f"{cpu / len(lines) * 1000:.0f} ms CPU."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
