import os
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from hypothesis import settings as hypothesis_settings

from tests.factories import make_unit

# Hypothesis' 200 ms per-example deadline fails a correct test on a loaded machine
# ("DeadlineExceeded", "Unreliable test timings": test_name_scan_matches_the_reference
# at load 7, stop 21); pytest-timeout bounds every test instead.
hypothesis_settings.register_profile("mattran", deadline=None)
hypothesis_settings.load_profile("mattran")

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
# This process's pytest-xdist worker ("gw0", ...), empty in a run without workers.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# Seconds of the modules much longer than SECONDS_PER_TEST x their number of tests
# (junit times of a PostgreSQL pass with 2 workers at load 5-17, stop 20; only their
# order matters): handed out first when the suite runs in parallel. A module missing
# here goes out by its number of tests.
SECONDS_PER_TEST = 0.3
EXPECTED_SECONDS: dict[str, float] = {
    "tests/security/test_access_matrix.py": 186,
    # one Hypothesis test: 58 s in the run measured here, 135-218 s at load 10+
    "tests/figures/test_summaries.py": 150,
    "tests/security/test_api_fuzz.py": 109,
    "tests/deploy/test_production.py": 105,
    "tests/deploy/test_worker.py": 88,
    "tests/security/test_malformed_params.py": 84,
    "tests/core/test_backup.py": 64,
    "tests/faults/test_worker_killed.py": 63,
    "tests/browser/test_phone.py": 53,
    "tests/faults/test_parallel.py": 47,
    "tests/access/test_policy.py": 47,
    "tests/reports/test_demo_report.py": 42,
    "tests/units/test_hanoi_data.py": 42,
    "tests/core/test_health.py": 38,
    "tests/ledgerlog/test_log.py": 34,
    "tests/browser/test_funds.py": 34,
    "tests/browser/test_reports_flow.py": 25,
    "tests/reports/test_views.py": 23,
    "tests/demo/test_no_dead_links.py": 23,
    "tests/funds/test_backup_checks.py": 23,
    "tests/browser/test_foundation.py": 22,
    "tests/security/test_hostile_input.py": 21,
    "tests/browser/test_new_office.py": 21,
    "tests/api/test_api.py": 20,
    "tests/emulation/test_pages.py": 20,
    "tests/funds/test_import.py": 18,
    "tests/core/test_db_routers.py": 17,
    "tests/access/test_password_hashing.py": 16,
}


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    _mark_and_deselect(config, items)
    # pytest-django's own ordering runs here (databases first, transactional tests last).
    yield
    _unique_nodeids(items)
    if WORKER:
        _longest_first(items)


def _unique_nodeids(items):
    """schemathesis (4.x on pytest 9) collects one item per API operation, each named
    after it, but all under the test function's node id; xdist hands out tests by node
    id and would run only the first of them. Each gets its name as its id."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1:
            unique = f"{item.parent.nodeid}::{item.name}"
            if hasattr(item, "_id"):  # pytest >= 9.2 keeps the id as a NodeId
                item._id = type(item._id).parse(unique)
            else:
                item._nodeid = unique
    same = sorted(n for n, c in Counter(item.nodeid for item in items).items() if c > 1)
    if same and WORKER:
        raise pytest.UsageError(f"Tests sharing a node id would run once under xdist: {same}")


def _mark_and_deselect(config, items):
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


def _module(item) -> str:
    return Path(str(item.fspath)).resolve().relative_to(TESTS_DIR.parent).as_posix()


def _longest_first(items):
    """Under pytest-xdist (`make test`: `--dist loadfile`) a worker takes a whole module
    at a time, so that a module's fixtures (worlds, snapshots) are built once, and the
    modules go out in this order (`--no-loadscope-reorder`): the longest first, so
    that no worker starts a long module while the other is finishing.
    Seconds are those of EXPECTED_SECONDS, else per test; the order within a module and
    of equal modules is kept (every worker must collect the same list)."""
    counts: dict[str, int] = {}
    for item in items:
        counts[_module(item)] = counts.get(_module(item), 0) + 1
    first_index = {}
    for index, item in enumerate(items):
        first_index.setdefault(_module(item), index)

    def weight(module: str) -> float:
        return EXPECTED_SECONDS.get(module, SECONDS_PER_TEST * counts[module])

    items.sort(key=lambda item: (-weight(_module(item)), first_index[_module(item)]))


# Lines the workers' tests print at the end of a run (tests/security/conftest.py).
WORKER_SUMMARY: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist controller: a worker finished; keep the lines it handed over."""
    lines = getattr(node, "workeroutput", {}).get("summary_lines", [])
    WORKER_SUMMARY.extend(f"[{node.gateway.id}] {line}" for line in lines)


def pytest_terminal_summary(terminalreporter):
    for line in WORKER_SUMMARY:
        terminalreporter.write_line(line)


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
