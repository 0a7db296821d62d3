import os
from pathlib import Path

import pytest
from django.apps import apps

from tests.factories import make_unit

TESTS_DIR = Path(__file__).resolve().parent
# Tests that start processes (workers, gunicorn, killed imports) and do not depend on
# which database the pass runs on enough to run twice: marked `once` and run in the
# PostgreSQL pass only when `make test` runs both (MATTRAN_TEST_SKIP_ONCE=1 on SQLite).
# Single tests elsewhere that only run a subprocess on their own files carry
# @pytest.mark.once themselves (tests/core: health, settings, the SQLite replica copy).
ONCE_DIRS = (TESTS_DIR / "faults", TESTS_DIR / "deploy")
# Seconds a test may run before pytest-timeout fails it with a stack dump (the default
# in pyproject.toml is for unit tests; these kinds get more).
LONG_TIMEOUTS = {"browser": 900, "slow": 900, "once": 900}


def pytest_collection_modifyitems(config, items):
    skip_once = os.environ.get("MATTRAN_TEST_SKIP_ONCE", "") not in ("", "0")
    # (A checkout whose .venv predates pytest-timeout still runs: `make install-dev`.)
    timeouts = config.pluginmanager.hasplugin("timeout")
    kept, deselected = [], []
    for item in items:
        path = Path(str(item.fspath)).resolve()
        if any(path.is_relative_to(d) for d in ONCE_DIRS):
            item.add_marker(pytest.mark.once)
        if timeouts and item.get_closest_marker("timeout") is None:
            longest = max(
                (t for name, t in LONG_TIMEOUTS.items() if item.get_closest_marker(name)),
                default=None,
            )
            if longest:
                item.add_marker(pytest.mark.timeout(longest))
        (deselected if skip_once and item.get_closest_marker("once") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(autouse=True)
def _password_hashers(request):
    """tests/settings.py hashes with MD5 for speed; tests of hashing itself
    (marked `real_password_hashers`) get the production hashers back."""
    if request.node.get_closest_marker("real_password_hashers"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS


REPLICA_TEST = "tests/deploy/test_streaming_replica.py"
MIGRATED_DUMP = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request, tmp_path_factory):
    """pytest-django's test database; on PostgreSQL, when the streaming replica test is
    to run, also a dump of it as migrated (before any test wrote to it), from which that
    test's primary is initialised instead of migrating again."""
    from django.db import connection

    if connection.vendor == "postgresql" and any(
        item.nodeid.startswith(REPLICA_TEST) for item in request.session.items
    ):
        from tests.deploy.test_streaming_replica import dump_database

        with django_db_blocker.unblock():
            target = tmp_path_factory.mktemp("migrated-dump") / "migrated.sql"
            request.config.stash[MIGRATED_DUMP] = dump_database(target)


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker):
    """The demo data (load_demo: Hà Nội 2023 and 2025, seed records, accounts), built
    once per run on an emptied database and copied (tests/db_snapshot.py); fixtures
    put the copy back instead of loading the demo again."""
    from io import StringIO

    from django.core.management import call_command

    from mattran.demo.loader import load_demo
    from tests.db_snapshot import Snapshot

    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        _install_catalogues()
        load_demo(out=StringIO())
        snap = Snapshot.take("demo")
        call_command("flush", interactive=False, verbosity=0)
    yield snap
    with django_db_blocker.unblock():
        snap.drop()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database migrated once per run by `mattran migrate` in a subprocess (its
    own data directory, the development environment). Tests that start the application
    in subprocesses on their own SQLite file copy it (tests/deploy/helpers.py:
    `use_migrated`) instead of each migrating a new one (~13 s of CPU each)."""
    from tests.deploy.helpers import base_env, mattran

    data = tmp_path_factory.mktemp("migrated")
    result = mattran("migrate", "--noinput", env=base_env(data), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return data / "mattran.sqlite3"


@pytest.fixture(scope="module")
def demo_module(demo_snapshot, django_db_blocker):
    """The demo data for every test of a module (each test's writes roll back as usual);
    emptied again after the module."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        demo_snapshot.restore()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _install_catalogues():
    from mattran.activities import catalogue as activity_catalogue
    from mattran.activities.models import ActivityType
    from mattran.reports import catalogue as report_catalogue

    if not ActivityType.objects.exists():
        activity_catalogue.install(apps)
        report_catalogue.install(apps)
    from mattran.emulation import reference as emulation_reference
    from mattran.emulation.models import AwardType

    if not AwardType.objects.exists():
        emulation_reference.install(apps)


@pytest.fixture(autouse=True)
def _process_caches():
    """Each test starts with empty per-process caches (core.versions.process_cached): a
    test's rolled-back rows must never be served to the next test from memory."""
    from mattran.core import versions

    versions.process_cache_clear()
    yield
    versions.process_cache_clear()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background jobs run synchronously in tests (django-tasks' immediate backend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The API's per-user rate limit is tested on its own (tests/api/test_idempotency_and_rate.py);
    # elsewhere thousands of calls from one token (fuzzing, the access matrix) must not hit it.
    settings.MATTRAN_API_RATE = ""


@pytest.fixture
def tree(db):
    """A small 2023-style tree: city > 2 districts > wards > a residential area.

    city
    ├── district_a (Quận A)
    │   ├── ward_a1 ── area_a1
    │   └── ward_a2
    └── district_b (Quận B)
        └── ward_b1
    """
    city = make_unit("Thành phố Thử", code="91")
    district_a = make_unit("Quận A", city, code="911")
    district_b = make_unit("Quận B", city, code="912")
    ward_a1 = make_unit("Phường A1", district_a, code="91101")
    ward_a2 = make_unit("Phường A2", district_a, code="91102")
    ward_b1 = make_unit("Phường B1", district_b, code="91201")
    area_a1 = make_unit("Tổ dân phố 1", ward_a1)
    return {
        "city": city,
        "district_a": district_a,
        "district_b": district_b,
        "ward_a1": ward_a1,
        "ward_a2": ward_a2,
        "ward_b1": ward_b1,
        "area_a1": area_a1,
    }


@pytest.fixture(autouse=True)
def _reference_catalogues(request):
    """Re-install the catalogues that data migrations provide.

    A transactional test (live server, concurrency) empties every table when it
    ends, data-migration rows included; the next tests need them back.
    """
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    _install_catalogues()


@pytest.fixture(autouse=True, scope="session")
def _ledger_key_outside_the_data_dir(tmp_path_factory):
    """The demo creates the ledger's signing key if missing: never in the developer's var/."""
    from django.test import override_settings

    with override_settings(LEDGER_KEY_FILE=tmp_path_factory.mktemp("ledger") / "key.pem"):
        yield
