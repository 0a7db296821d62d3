"""Data versions (core/versions.py) on the real shared cache, Redis.

A bump changes every named counter by one, starts a missing counter at a fresh
random value, and costs one round trip to Redis whatever the number of names
(a ward's write bumps the ward, its district, its city and the structure version).
"""

import pytest
import redis
from django.core.cache import caches

from mattran.core import versions
from tests.deploy.helpers import TEST_REDIS_URL


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": "test-versions",
        },
    }
    cache = caches["default"]
    _delete_prefixed(cache)
    yield cache
    _delete_prefixed(cache)


def _delete_prefixed(cache) -> None:
    """This test's keys only (cache.clear() would FLUSHDB a Redis database that another
    test process, e.g. the RQ worker's, may be using)."""
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{cache.key_prefix}:*"):
        client.delete(key)


@pytest.fixture
def round_trips(monkeypatch):
    """Commands sent one by one, and pipelines sent, to Redis."""
    counts = {"commands": 0, "pipelines": 0}
    command, execute = redis.Redis.execute_command, redis.client.Pipeline.execute

    def counting_command(self, *args, **kwargs):
        counts["commands"] += 1
        return command(self, *args, **kwargs)

    def counting_execute(self, *args, **kwargs):
        counts["pipelines"] += 1
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counting_command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counting_execute)
    return counts


def test_a_bump_steps_each_name_once(redis_cache):
    names = ["u:1", "u:2", "u:3", "sv:1"]
    before, other = versions.read(names), versions.read(["u:9"])
    versions._bump_now([*names, "u:1"])  # a name given twice steps once
    assert versions.read(names) == tuple(v + 1 for v in before)
    assert versions.read(["u:9"]) == other  # a name not bumped keeps its version


def test_a_missing_counter_starts_fresh(redis_cache):
    versions._bump_now(["u:42"])
    first = versions.read(["u:42"])[0]
    assert first > 1  # a random start, not 1: never a value an old cache entry used
    redis_cache.delete(versions.PREFIX + "u:42")  # evicted
    versions._bump_now(["u:42"])
    assert versions.read(["u:42"])[0] not in (0, 1, first + 1)


def test_one_round_trip_per_bump(redis_cache, round_trips):
    versions._bump_now(["u:1", "u:2", "u:3", "u:4", "sv:1", "ledger"])
    assert round_trips == {"commands": 0, "pipelines": 1}


def test_the_values_stay_readable_by_the_cache(redis_cache):
    versions._bump_now(["ref"])
    value = redis_cache.get(versions.PREFIX + "ref")
    assert isinstance(value, int) and value == versions.read(["ref"])[0]
