"""Run the `mattran` command and gunicorn in subprocesses with a production environment."""

import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.workers import redis_url

REPO = Path(__file__).resolve().parents[2]
# Redis database reserved for these tests, so they never touch a developer's data
# (one per worker when the suite runs in parallel: tests/workers.py).
TEST_REDIS_URL = redis_url(
    os.environ.get("MATTRAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"), -1
)


def base_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """This process's environment without any MATTRAN_* setting, in development mode."""
    # (The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is never part of a deployment.)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MATTRAN_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(
                [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "DJANGO_SETTINGS_MODULE": "mattran.settings",
            "MATTRAN_DATA_DIR": str(data_dir),
            # Development is opted into explicitly (the settings default to production).
            "MATTRAN_DEBUG": "1",
        }
    )
    env.update(overrides)
    return env


def production_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """The documented production environment (deploy/production.env.example),
    on SQLite in `data_dir` unless a database URL is given."""
    env = base_env(data_dir)
    env.update(
        {
            "MATTRAN_DEBUG": "0",
            "MATTRAN_SECRET_KEY": secrets.token_urlsafe(64),
            "MATTRAN_ALLOWED_HOSTS": "mattran.example.vn,127.0.0.1",
            "MATTRAN_CSRF_TRUSTED_ORIGINS": "https://mattran.example.vn",
            "MATTRAN_PROXY_SSL_HEADER": "1",
            "MATTRAN_HSTS_SECONDS": "31536000",
            "MATTRAN_HSTS_INCLUDE_SUBDOMAINS": "1",
            "MATTRAN_HSTS_PRELOAD": "1",
            "MATTRAN_LOG_LEVEL": "WARNING",
        }
    )
    env.update(overrides)
    return env


def mattran(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mattran.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        args, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def stop(proc: subprocess.Popen) -> str:
    """Stop a process we started and return what it printed."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return proc.stdout.read() if proc.stdout else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - loopback test URL
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def use_migrated(migrated: Path, target: Path) -> Path:
    """Put a copy of the run's migrated SQLite database (the `migrated_sqlite` fixture,
    tests/conftest.py) at `target` (a data directory: its mattran.sqlite3), instead
    of running every migration again in each test that starts the application."""
    if target.is_dir():
        target = target / "mattran.sqlite3"
    source, copy = sqlite3.connect(migrated), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target
