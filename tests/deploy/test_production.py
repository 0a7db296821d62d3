"""The production configuration: `check --deploy`, gunicorn with several workers
and hashed, compressed static files, settings refused when secrets are missing."""

import http.client
import json
import re
import subprocess
import sys

import pytest

from tests.deploy.helpers import (
    free_port,
    mattran,
    production_env,
    spawn,
    stop,
    use_migrated,
    wait_for_http,
)


def test_check_deploy_is_clean_with_the_documented_production_env(tmp_path):
    result = mattran("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_warns_without_https_settings(tmp_path):
    """The test above can fail: weakening the environment makes check --deploy complain."""
    env = production_env(tmp_path, MATTRAN_HSTS_SECONDS="0", MATTRAN_SSL_REDIRECT="0")
    result = mattran("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("MATTRAN_SECRET_KEY", "MATTRAN_SECRET_KEY must be set"),
        ("MATTRAN_ALLOWED_HOSTS", "MATTRAN_ALLOWED_HOSTS must be set"),
    ],
)
def test_production_refuses_to_start_without_secrets(tmp_path, missing, message):
    env = production_env(tmp_path)
    del env[missing]
    result = mattran("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_rq_backend_needs_redis(tmp_path):
    result = mattran("check", env=production_env(tmp_path, MATTRAN_TASK_BACKEND="rq"))
    assert result.returncode != 0
    assert "MATTRAN_TASK_BACKEND=rq needs MATTRAN_REDIS_URL" in result.stderr


def _get(port: int, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "mattran.example.vn", **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(p) for p in out.split()]


def test_gunicorn_serves_the_app_with_several_workers_and_hashed_static_files(
    tmp_path, migrated_sqlite
):
    env = production_env(tmp_path)
    # The run's migrated database (a fresh one's migrations run once per run); the
    # documented deploy steps still run on it: `migrate` (nothing left) and collectstatic.
    use_migrated(migrated_sqlite, tmp_path)
    for args in (["migrate", "--noinput"], ["collectstatic", "--noinput", "--verbosity", "0"]):
        result = mattran(*args, env=env, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
    port = free_port()
    env.update({"MATTRAN_BIND": f"127.0.0.1:{port}", "MATTRAN_WEB_WORKERS": "3"})
    server = spawn([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"], env)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/suc-khoe/")
        # Health over plain HTTP for the load balancer; everything else goes to HTTPS.
        response, body = _get(port, "/suc-khoe/")
        assert response.status == 200, body
        assert json.loads(body)["status"] == "ok"
        response, _ = _get(port, "/dang-nhap/")
        assert response.status == 301
        assert response.getheader("Location") == "https://mattran.example.vn/dang-nhap/"

        # Behind the TLS proxy: the page, HSTS, secure cookies, hashed asset names.
        response, body = _get(port, "/dang-nhap/", {"X-Forwarded-Proto": "https"})
        assert response.status == 200
        assert response.getheader("Strict-Transport-Security") == (
            "max-age=31536000; includeSubDomains; preload"
        )
        cookies = response.getheader("Set-Cookie")
        assert "csrftoken=" in cookies and "Secure" in cookies
        css = re.search(
            rb'href="(/static/vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css)"', body
        )
        assert css, body[:2000]

        response, body = _get(
            port, css.group(1).decode(), {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
        )
        assert response.status == 200
        assert response.getheader("Content-Encoding") == "gzip"
        assert "immutable" in response.getheader("Cache-Control")

        assert len(_children(server.pid)) == 3
    finally:
        output = stop(server)
    assert "Traceback" not in output, output
