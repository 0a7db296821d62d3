"""The first minutes of the deadline: every ward editor and approver signs in at once.

    python loadtest/login_burst.py OUT/seed.json --host http://127.0.0.1:8097 \
        [--out OUT/login_burst.json]

Each account of the seed (126 ward editors and 4 approvers for Hà Nội) opens the
login page and posts its password, all at the same moment, one thread each (the
server sees as many concurrent logins as it has accounts). Prints how long the
whole burst took and each login's time (median, p95, max), writes them to
``--out`` and exits 1 if any login failed. Password hashing is Django's PBKDF2 at
its default iteration count (mattran.access.hashers): the burst measures what the
login path costs beyond it.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests  # installed with locust (dev dependencies)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(host: str, username: str, password: str) -> tuple[bool, float]:
    session = requests.Session()
    start = time.perf_counter()
    page = session.get(f"{host}/dang-nhap/", timeout=300)
    match = CSRF.search(page.text)
    if not match:
        return False, time.perf_counter() - start
    response = session.post(
        f"{host}/dang-nhap/",
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)},
        headers={"Referer": f"{host}/dang-nhap/", "X-Load-Name": "POST /dang-nhap/ (burst)"},
        timeout=300,
    )
    ok = response.status_code == 200 and "/dang-nhap/" not in response.url
    return ok, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", type=Path)
    parser.add_argument("--host", required=True)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    seed = json.loads(args.seed.read_text("utf-8"))
    users = [w["user"] for w in seed["wards"]] + list(seed["approvers"])
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        results = list(pool.map(lambda u: login(args.host, u, seed["password"]), users))
    total = time.perf_counter() - start
    times = sorted(t for _, t in results)
    failed = sum(1 for ok, _ in results if not ok)
    figures = {
        "logins": len(users),
        "failed": failed,
        "total_s": round(total, 2),
        "median_s": round(statistics.median(times), 2),
        "p95_s": round(times[int(0.95 * (len(times) - 1))], 2),
        "max_s": round(times[-1], 2),
    }
    print(
        f"Đăng nhập đồng loạt: {figures['logins']} tài khoản trong {figures['total_s']} s "
        f"(trung vị {figures['median_s']} s, p95 {figures['p95_s']} s, lâu nhất "
        f"{figures['max_s']} s), {failed} lần thất bại."
    )
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1), "utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
