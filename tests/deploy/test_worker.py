"""`mattran worker` starts the configured job worker; `mattran check_worker`
proves it consumes the queue: the database queue by default, RQ on Redis in
production."""

import sys

import pytest

from tests.deploy.helpers import TEST_REDIS_URL, base_env, mattran, spawn, stop, use_migrated


@pytest.mark.parametrize(
    "backend_env",
    [
        pytest.param({}, id="database"),
        pytest.param(
            {"MATTRAN_TASK_BACKEND": "rq", "MATTRAN_REDIS_URL": TEST_REDIS_URL}, id="redis-rq"
        ),
    ],
)
def test_worker_consumes_the_queue(tmp_path, backend_env, migrated_sqlite):
    env = base_env(tmp_path, **backend_env)
    use_migrated(migrated_sqlite, tmp_path)

    # Nothing consumes the queue yet: the probe times out and says so.
    result = mattran("check_worker", "--timeout", "1", env=env)
    assert result.returncode != 0
    assert "chưa có tiến trình nền nào xử lý" in result.stderr

    worker = spawn([sys.executable, "-m", "mattran.cli", "worker", "--name", "probe-worker"], env)
    try:
        result = mattran("check_worker", "--timeout", "60", env=env)
    finally:
        output = stop(worker)
    assert result.returncode == 0, result.stdout + result.stderr + output
    assert "Tiến trình nền đã xử lý công việc thử" in result.stdout
    assert "'database': True" in result.stdout
    assert "Traceback" not in output, output


def test_worker_refuses_a_backend_without_worker(tmp_path):
    env = base_env(tmp_path, MATTRAN_TASK_BACKEND="immediate")
    result = mattran("worker", env=env)
    assert result.returncode != 0
    assert "không cần tiến trình riêng" in result.stderr
