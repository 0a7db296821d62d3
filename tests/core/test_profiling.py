"""The load-run profile: one line per request with its SQL and CPU time, and the summary."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_unit

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_each_request_writes_one_line_with_its_sql(client, settings, tmp_path):
    out = tmp_path / "profile.jsonl"
    settings.MATTRAN_PROFILE_FILE = str(out)
    make_unit("Thành phố Thử", code="91")
    client.get("/dang-nhap/", headers={"X-Load-Name": "GET /dang-nhap/"})
    client.post("/dang-nhap/", {"username": "khong.co", "password": "sai mat khau"})
    lines = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [(x["name"], x["method"]) for x in lines] == [
        ("GET /dang-nhap/", "GET"),
        ("POST dang-nhap/", "POST"),
    ]
    failed_login = lines[1]
    # A failed login reads the user table and records the attempt (django-axes).
    assert failed_login["sql_n"] >= 2
    assert 0 < failed_login["sql_ms"] <= failed_login["wall_ms"]
    assert failed_login["status"] == 200
    assert all(x["cpu_ms"] >= 0 and x["lock_ms"] <= x["sql_ms"] for x in lines)

    summary = subprocess.run(
        [sys.executable, str(REPO / "scripts/load_profile.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    rows = [r for r in summary.splitlines() if r.startswith("| POST dang-nhap/ | POST | 1 |")]
    assert len(rows) == 1, summary
    assert "2 requests over" in summary


def test_profile_is_off_by_default(settings):
    from django.core.exceptions import MiddlewareNotUsed

    from mattran.core.profiling import RequestProfileMiddleware

    settings.MATTRAN_PROFILE_FILE = ""
    with pytest.raises(MiddlewareNotUsed):
        RequestProfileMiddleware(lambda request: None)


def test_cpu_is_the_requests_own_thread(settings, tmp_path):
    """gthread workers run several requests in one process: a request that waits
    while another thread computes is charged none of that thread's CPU."""
    import threading
    import time

    from django.http import HttpResponse
    from django.test import RequestFactory

    from mattran.core.profiling import RequestProfileMiddleware

    out = tmp_path / "profile.jsonl"
    settings.MATTRAN_PROFILE_FILE = str(out)
    stop = threading.Event()

    def burn():
        while not stop.is_set():
            sum(range(10_000))

    def waiting_view(request):
        time.sleep(0.4)  # another request's thread computes meanwhile
        return HttpResponse("ok")

    other = threading.Thread(target=burn)
    other.start()
    try:
        RequestProfileMiddleware(waiting_view)(RequestFactory().get("/"))
    finally:
        stop.set()
        other.join(timeout=10)
    line = json.loads(out.read_text("utf-8"))
    assert line["wall_ms"] >= 400
    assert line["cpu_ms"] < 100, line  # the process burnt ~400 ms meanwhile
