"""Settings fail closed: without MATTRAN_DEBUG=1 the production checks apply, and no
secret key is ever a constant of the code."""

import pytest

from tests.deploy.helpers import TEST_REDIS_URL, base_env, mattran

PRINT_KEY = "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"


@pytest.mark.once  # a subprocess on its own SQLite files: the same in both passes
def test_nothing_set_means_production_which_refuses_to_start(tmp_path):
    env = base_env(tmp_path)
    del env["MATTRAN_DEBUG"]  # the development opt-in base_env adds
    result = mattran("check", env=env)
    assert result.returncode != 0
    assert "MATTRAN_SECRET_KEY must be set" in result.stderr


@pytest.mark.once  # a subprocess on its own SQLite files: the same in both passes
def test_development_is_explicit_and_its_key_is_random_per_data_directory(tmp_path):
    keys = []
    for name in ("a", "a", "b"):
        data = tmp_path / name
        data.mkdir(exist_ok=True)
        result = mattran("shell", "--no-imports", "-c", PRINT_KEY, env=base_env(data))
        assert result.returncode == 0, result.stderr
        debug, key = result.stdout.split()
        assert debug == "True" and len(key) >= 50
        keys.append(key)
        assert (data / "dev-secret-key").stat().st_mode & 0o077 == 0
    assert keys[0] == keys[1] != keys[2]  # kept per data directory, never shared
    assert all("insecure" not in k for k in keys)


SESSION_ENGINE = "from django.conf import settings; print(settings.SESSION_ENGINE)"


@pytest.mark.once  # a subprocess on its own SQLite files: the same in both passes
def test_sessions_are_read_from_redis_only_when_the_cache_is_shared(tmp_path):
    """The session is read from Redis (no query per request) when the default cache is
    Redis, which every process shares; a per-process cache keeps sessions in the database
    (else one process would still accept a session another had signed out)."""
    shared = base_env(tmp_path, MATTRAN_REDIS_URL=TEST_REDIS_URL, MATTRAN_USE_REDIS_CACHE="1")
    local = base_env(tmp_path)
    engines = []
    for env in (shared, local):
        result = mattran("shell", "--no-imports", "-c", SESSION_ENGINE, env=env)
        assert result.returncode == 0, result.stderr
        engines.append(result.stdout.strip())
    assert engines == [
        "django.contrib.sessions.backends.cached_db",
        "django.contrib.sessions.backends.db",
    ]
