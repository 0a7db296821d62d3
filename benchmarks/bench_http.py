"""Requests per second of one request type against a running gunicorn, and its CPU.

    # a gunicorn started by scripts/loadtest.sh (LOAD_KEEP_SERVER) or by hand on a
    # database seeded by loadtest/seed.py:
    .venv/bin/python benchmarks/bench_http.py OUT/seed.json --host http://127.0.0.1:8097 \
        --gunicorn-pid PID --database-url postgresql://... --type list -c 8 -t 20

A simple closed loop: ``-c`` threads each send the same kind of request (as the
load test's ward editor, approver or donor would) one after another without a
pause for ``-t`` seconds, over plain sockets (``http.client``: a fraction of the
CPU of a load-test driver, which shares the machine). Prints the requests per
second, the client latency (median, p95) and, from /proc, the CPU per request of
gunicorn (master, workers) and of the database's backends. One change to the
server can so be judged by one number per request type, in a minute, where
``make load`` takes ten.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from load_cpu import app_cpu, cpu  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TYPES = {
    # name: (who, path template)
    "list": ("editor", "/hoat-dong/don-vi/{ward}/"),
    "form": ("editor", "/hoat-dong/don-vi/{ward}/them/"),
    "report": ("editor", "/bao-cao/{ward}/{period}/"),
    "rollup": ("approver", "/bao-cao/{city}/{period}/"),
    "completeness": ("approver", "/bao-cao/{city}/{period}/tinh-hinh-nop/"),
    "xlsx": ("approver", "/bao-cao/{city}/{period}/bao-cao.xlsx"),
    "lookup": ("public", "/cong-khai/?q={donor}"),
    "portal": ("public", "/cong-khai/"),
    "fund": ("public", "/cong-khai/quy/{fund}/"),
    "login-page": ("public", "/dang-nhap/"),
}


def _cookies(response, jar: dict) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


def _request(host, method, path, jar, body=None, headers=None):
    url = urlparse(host)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    head = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), **(headers or {})}
    conn.request(method, path, body=body, headers=head)
    response = conn.getresponse()
    data = response.read()
    _cookies(response, jar)
    conn.close()
    return response.status, data


def sign_in(host: str, username: str, password: str) -> dict:
    jar: dict = {}
    _, page = _request(host, "GET", "/dang-nhap/", jar)
    token = CSRF.search(page.decode()).group(1)
    body = (
        f"username={quote(username)}&password={quote(password)}&csrfmiddlewaretoken={token}"
    ).encode()
    status, _ = _request(
        host,
        "POST",
        "/dang-nhap/",
        jar,
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"{host}/dang-nhap/"},
    )
    if status != 302 or "sessionid" not in jar:
        sys.exit(f"sign-in of {username} failed ({status})")
    return jar


def pg_backends(database_url: str) -> list[int]:
    import psycopg

    name = urlparse(database_url).path.lstrip("/")
    with psycopg.connect(database_url, autocommit=True) as conn:
        mine = conn.info.backend_pid
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s", [name, mine]
        ).fetchall()
    return [pid for (pid,) in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", type=Path)
    parser.add_argument("--host", required=True)
    parser.add_argument("--type", choices=sorted(TYPES), default="list")
    parser.add_argument("-c", "--concurrency", type=int, default=8)
    parser.add_argument("-t", "--seconds", type=float, default=20)
    parser.add_argument("--gunicorn-pid", type=int, help="master pid: its CPU per request")
    parser.add_argument("--database-url", help="the database's backends: their CPU per request")
    args = parser.parse_args()
    seed = json.loads(args.seed.read_text("utf-8"))
    who, template = TYPES[args.type]
    ward = seed["wards"][0]
    path = template.format(
        ward=ward["id"],
        period=seed["period"],
        city=seed["city"]["id"],
        donor=quote(seed["donors"][0]),
        fund=seed["public_funds"][0],
    )
    jar: dict = {}
    if who == "editor":
        jar = sign_in(args.host, ward["user"], seed["password"])
    elif who == "approver":
        jar = sign_in(args.host, seed["approvers"][0], seed["password"])
    for _ in range(5):  # warm every worker's caches a little
        status, _ = _request(args.host, "GET", path, dict(jar))
        if status != 200:
            sys.exit(f"{path} answered {status}")

    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + args.seconds

    def loop():
        mine = dict(jar)
        local = []
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            status, _ = _request(args.host, "GET", path, mine, headers={"X-Load-Name": args.type})
            local.append(time.perf_counter() - start)
            if status != 200:
                errors[0] += 1
        with lock:
            times.extend(local)

    backends = pg_backends(args.database_url) if args.database_url else []
    app0 = app_cpu([args.gunicorn_pid]) if args.gunicorn_pid else 0.0
    pg0 = {pid: cpu(pid) for pid in backends}
    began = time.perf_counter()
    threads = [threading.Thread(target=loop) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    app1 = app_cpu([args.gunicorn_pid]) if args.gunicorn_pid else 0.0
    backends_after = pg_backends(args.database_url) if args.database_url else []
    pg = sum(cpu(pid) - pg0.get(pid, 0.0) for pid in backends_after)
    n = len(times)
    times.sort()
    line = (
        f"{args.type}: {n} requests in {elapsed:.1f} s = {n / elapsed:.1f} req/s "
        f"(c={args.concurrency}), latency median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {times[int(0.95 * (n - 1))] * 1000:.0f} ms, {errors[0]} errors"
    )
    if args.gunicorn_pid:
        line += f"; gunicorn CPU {(app1 - app0) / n * 1000:.1f} ms/request"
    if args.database_url:
        line += f", PostgreSQL CPU ≥ {pg / n * 1000:.1f} ms/request"
    print(line)
    return 1 if errors[0] else 0


if __name__ == "__main__":
    raise SystemExit(main())
