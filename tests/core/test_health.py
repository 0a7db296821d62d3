"""`/suc-khoe/`: database, cache and job queue; 200 when all answer, 503 otherwise.

The failure cases start a separate process with a really unreachable database or
Redis, as a load balancer would see it."""

import json

import pytest

from mattran.core.tasks import worker_probe
from tests.deploy.helpers import TEST_REDIS_URL, base_env, mattran, use_migrated

HEALTH_SCRIPT = (
    "from django.test import Client; "
    "r = Client(HTTP_HOST='localhost').get('/suc-khoe/'); "
    "print(r.status_code); print(r.content.decode())"
)


def health_in_subprocess(tmp_path, **env) -> tuple[int, dict]:
    result = mattran("shell", "--no-imports", "-c", HEALTH_SCRIPT, env=base_env(tmp_path, **env))
    assert result.returncode == 0, result.stdout + result.stderr
    status, body = result.stdout.strip().split("\n", 1)
    return int(status), json.loads(body)


def test_healthy_with_database_queue(client, db, settings):
    # Other tests run jobs in-process (tests/conftest.py); this one checks the real queue.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = client.get("/suc-khoe/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] is body["cache"] is body["queue"] is True
    queue = body["checks"]["queue"]
    assert (queue["ok"], queue["backend"], queue["pending"]) == (True, "db", 0)
    assert "no-cache" in response["Cache-Control"]

    worker_probe.enqueue()
    assert client.get("/suc-khoe/").json()["checks"]["queue"]["pending"] == 1


@pytest.mark.once  # a subprocess on its own SQLite files: the same in both passes
def test_database_unreachable_answers_503(tmp_path):
    status, body = health_in_subprocess(
        tmp_path, MATTRAN_DATABASE_URL=f"sqlite:///{tmp_path}/missing-dir/db.sqlite3"
    )
    assert status == 503
    assert body["status"] == "error"
    assert body["database"] is False
    assert body["checks"]["database"]["error"] == "OperationalError"
    # The database queue lives in the same database: it is down too.
    assert body["queue"] is False
    assert body["cache"] is True


@pytest.mark.once  # a subprocess on its own SQLite files: the same in both passes
def test_postgresql_unreachable_answers_503(tmp_path):
    status, body = health_in_subprocess(
        tmp_path, MATTRAN_DATABASE_URL="postgresql://postgres@127.0.0.1:1/nothing"
    )
    assert status == 503
    assert body["database"] is False
    assert body["checks"]["database"]["error"] == "OperationalError"


@pytest.mark.once  # a subprocess on its own SQLite files: the same in both passes
def test_redis_cache_unreachable_answers_503(tmp_path):
    status, body = health_in_subprocess(
        tmp_path, MATTRAN_REDIS_URL="redis://127.0.0.1:1/0", MATTRAN_USE_REDIS_CACHE="1"
    )
    assert status == 503
    assert body["cache"] is False
    assert body["checks"]["cache"]["error"] == "ConnectionError"


@pytest.mark.once  # a subprocess on its own SQLite files: the same in both passes
def test_rq_queue_unreachable_answers_503(tmp_path):
    status, body = health_in_subprocess(
        tmp_path,
        MATTRAN_REDIS_URL="redis://127.0.0.1:1/0",
        MATTRAN_USE_REDIS_CACHE="0",
        MATTRAN_TASK_BACKEND="rq",
    )
    assert status == 503
    assert body["queue"] is False
    assert body["checks"]["queue"]["error"] == "ConnectionError"


@pytest.mark.once  # a subprocess on its own SQLite files: the same in both passes
def test_rq_queue_and_redis_cache_healthy(tmp_path, migrated_sqlite):
    use_migrated(migrated_sqlite, tmp_path)
    status, body = health_in_subprocess(
        tmp_path,
        MATTRAN_REDIS_URL=TEST_REDIS_URL,
        MATTRAN_USE_REDIS_CACHE="1",
        MATTRAN_TASK_BACKEND="rq",
    )
    assert status == 200, body
    assert body["checks"]["queue"]["backend"] == "rq"
    assert body["checks"]["cache"]["backend"] == "RedisCache"
