"""What one request of each kind of the busiest hour costs, measured one at a time.

    # after `make load` (or scripts/loadtest.sh) seeded the scratch database:
    MATTRAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mattran_load \
      .venv/bin/python benchmarks/bench_requests.py loadtest/out/seed.json --wards 20

The load test measures latency under contention; this measures the cost of each
request type alone (CPU of the application process, time and number of SQL
statements), which does not depend on what else the machine is doing, so a change
can be judged on a busy machine too. It replays, through Django's test client
with the production middleware and the profiling middleware on
(core/profiling.py), the same requests as loadtest/locustfile.py: a ward editor
records an activity, opens the ward report and submits it; a city approver opens
the roll-up, the completeness page, the XLSX export, and approves the ward; the
public looks donations up. Each ward is used once (a submitted report cannot be
submitted again); run scripts/loadtest.sh again for a fresh database.

The capacity line at the end: requests per second one core of application
processes can serve at this mix (1000 / mean CPU ms), before the database's share.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", type=Path)
    parser.add_argument("--wards", type=int, default=20)
    parser.add_argument("--logins", type=int, default=5)
    args = parser.parse_args()
    seed = json.loads(args.seed.read_text("utf-8"))

    profile = Path(tempfile.mkstemp(suffix=".jsonl")[1])
    os.environ["MATTRAN_PROFILE_FILE"] = str(profile)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
    os.environ.setdefault("MATTRAN_REQUIRE_2FA", "0")
    os.environ.setdefault("MATTRAN_PUBLIC_RATE", "1000000/m")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from load_profile import summarise

    from mattran.reports.models import Submission

    settings.ALLOWED_HOSTS = ["*"]
    period = seed["period"]
    done = set(Submission.objects.filter(period_code=period).values_list("unit_id", flat=True))
    wards = [w for w in seed["wards"] if w["id"] not in done][: args.wards]
    if not wards:
        sys.exit("Mọi phường đã nộp báo cáo kỳ này: chạy lại scripts/loadtest.sh để có CSDL mới.")
    city = seed["city"]["id"]
    rng = random.Random(7)

    def call(client, method, url, name, data=None):
        response = getattr(client, method)(
            url, data or {}, headers={"X-Load-Name": name}, follow=True
        )
        if response.status_code >= 400:
            sys.exit(f"{name}: {url} answered {response.status_code}")
        return response

    def login(username):
        client = Client()
        call(client, "get", "/dang-nhap/", "GET /dang-nhap/")
        call(
            client,
            "post",
            "/dang-nhap/",
            "POST /dang-nhap/",
            {"username": username, "password": seed["password"]},
        )
        return client

    for ward in wards[: args.logins]:
        login(ward["user"])
    approver = login(seed["approvers"][0])
    public = Client()
    for i, ward in enumerate(wards):
        editor = Client()
        editor.force_login(_user(ward["user"]))
        call(editor, "get", f"/hoat-dong/don-vi/{ward['id']}/them/", "GET activity form")
        call(
            editor,
            "post",
            f"/hoat-dong/don-vi/{ward['id']}/them/",
            "POST activity (record)",
            {
                "type": seed["activity_type"],
                "date": f"2025-12-0{rng.randint(1, 9)}",
                "title": f"[đo] Tuyên truyền {i}",
                "attendance": rng.randint(20, 300),
                "notes": "Đo chi phí từng yêu cầu",
            },
        )
        call(editor, "get", f"/bao-cao/{ward['id']}/{period}/", "GET report (ward)")
        call(editor, "post", f"/bao-cao/{ward['id']}/{period}/nop/", "POST report submit")
        call(editor, "get", f"/hoat-dong/don-vi/{ward['id']}/", "GET activity list")
        call(approver, "get", f"/bao-cao/{city}/{period}/", "GET report (city roll-up)")
        call(approver, "get", f"/bao-cao/{city}/{period}/tinh-hinh-nop/", "GET completeness")
        if i % 4 == 0:
            call(approver, "get", f"/bao-cao/{city}/{period}/bao-cao.xlsx", "GET roll-up XLSX")
        call(
            approver,
            "post",
            f"/bao-cao/{ward['id']}/{period}/duyet/",
            "POST report approve",
            {"comment": "Đồng ý"},
        )
        for _ in range(3):
            name = rng.choice(seed["donors"])
            call(public, "get", "/cong-khai/", "GET public lookup", {"q": name})
        call(
            public,
            "get",
            f"/cong-khai/quy/{rng.choice(seed['public_funds'])}/",
            "GET fund disclosure",
        )
        call(public, "get", "/cong-khai/", "GET public portal")

    lines = [json.loads(x) for x in profile.read_text("utf-8").splitlines() if x.strip()]
    profile.unlink()
    rows = summarise(lines)
    print(f"\n{len(wards)} wards, period {period}; one request at a time (ms)\n")
    print("| request | method | n | wall med | CPU med | SQL med | SQL stmts med/max |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['name']} | {r['method']} | {r['n']} | {r['wall_med']:.1f} | {r['cpu_med']:.1f} "
            f"| {r['sql_med']:.1f} | {r['sql_n_med']:.0f}/{r['sql_n_max']:.0f} |"
        )
    # The load mix without logins (a login happens once per session).
    work = [x for x in lines if "dang-nhap" not in x["name"]]
    cpu = sum(x["cpu_ms"] for x in work) / len(work)
    sql = sum(x["sql_ms"] for x in work) / len(work)
    print(
        f"\nmean over the mix (logins excluded): {cpu:.1f} ms CPU + {sql:.1f} ms SQL per request; "
        f"one application core serves about {1000 / cpu:.0f} requests/s of this mix."
    )
    return 0


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


if __name__ == "__main__":
    raise SystemExit(main())
