"""The scale-out path, run (issue 13, item 6): a real PostgreSQL streaming replica.

The test builds a small cluster of its own on loopback (the shared server's
pg_hba has no replication line, and its cluster holds every database on the
machine): `initdb` a primary in a temporary directory, give it the project's
schema, `pg_basebackup -R -X stream` a hot standby from it, and start both on free
ports. The schema is the suite's own test database as pytest-django migrated it,
dumped before any test wrote to it (tests/conftest.py, `django_db_setup`) and
restored into the primary: the migrations ran once already this run (on a SQLite
test run the primary is migrated with `mattran migrate`). The application then
runs in a subprocess with MATTRAN_DATABASE_URL on the primary and
MATTRAN_REPLICA_DATABASE_URL on the standby (core/db_routers.py) and is driven
page by page through Django's test client. Replay on the standby is paused
(`pg_wal_replay_pause()`) while a user writes, so lag is certain rather than a matter of timing:

- a report page and a public page read the replica: another user's report and
  an anonymous visitor do not see what was written during the pause, and the
  queries of those pages went to the replica only;
- read-your-writes: the user who wrote reads the primary on the next page and
  sees the new record at once;
- after `pg_wal_replay_resume()` the replica catches up and everyone sees it.

Marked `once` (tests/deploy): it starts processes and runs in the PostgreSQL pass.
It needs the PostgreSQL server programs (initdb, pg_ctl, pg_basebackup); on a
machine with PostgreSQL configured for the tests (as CI is) their absence fails
the test; elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.deploy.helpers import REPO, base_env, mattran

pytestmark = pytest.mark.timeout(300)

PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup", "postgres")


def server_programs() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding the server programs."""
    found = []
    for bin_dir in Path("/usr/lib/postgresql").glob("*/bin"):
        if all((bin_dir / p).exists() for p in PROGRAMS):
            try:
                found.append((int(bin_dir.parent.name.split(".")[0]), bin_dir))
            except ValueError:
                continue
    return max(found)[1] if found else None


def _postgresql_configured() -> bool:
    url = os.environ.get("MATTRAN_TEST_DATABASE_URL", "") + os.environ.get(
        "MATTRAN_DATABASE_URL", ""
    )
    return connection.vendor == "postgresql" or "postgres" in url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A primary and a standby in `root`, run as the `postgres` user when we are root
    (initdb refuses root)."""

    def __init__(self, bin_dir: Path, root: Path):
        self.bin, self.root = bin_dir, root
        self.primary, self.standby = root / "primary", root / "standby"
        self.ports = {"primary": _free_port(), "standby": _free_port()}
        self.started: list[Path] = []
        self.as_postgres = os.geteuid() == 0

    def run(self, program: str, *args: str, timeout: float = 120, input: str | None = None) -> str:
        cmd = [str(self.bin / program), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.root,
            input=input,
        )
        assert result.returncode == 0, f"{program} {args}: {result.stdout}{result.stderr}"
        return result.stdout

    def configure(self, data: Path, port: int) -> None:
        with (data / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"port = {port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\n"
                "fsync = off\n"  # a throw-away cluster: durability is not under test
                "shared_buffers = 16MB\n"
                "max_connections = 30\n"
                "hot_standby = on\n"
            )

    def start(self, data: Path) -> None:
        self.run("pg_ctl", "-D", str(data), "-l", str(data / "server.log"), "-w", "start")
        self.started.append(data)

    def url(self, which: str, db: str = "mattran") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports[which]}/{db}"

    def build_primary(self) -> None:
        self.run(
            "initdb", "-D", str(self.primary), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self.configure(self.primary, self.ports["primary"])
        self.start(self.primary)

    def build_standby(self) -> None:
        self.run(
            "pg_basebackup", "-D", str(self.standby), "-h", "127.0.0.1",
            "-p", str(self.ports["primary"]), "-U", "postgres", "-R", "-X", "stream",
            "-c", "fast",
        )  # fmt: skip
        conf = self.standby / "postgresql.auto.conf"
        # The copy carries the primary's port line; the standby's own comes last and wins.
        self.configure(self.standby, self.ports["standby"])
        assert "primary_conninfo" in conf.read_text()  # written by -R
        assert (self.standby / "standby.signal").exists()
        self.start(self.standby)

    def stop(self) -> None:
        for data in reversed(self.started):
            self.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        self.started.clear()


def dump_database(target: Path) -> Path:
    """`pg_dump` of the suite's PostgreSQL test database into `target` (plain SQL)."""
    bin_dir = server_programs()
    db = connection.settings_dict
    pg_dump = str(bin_dir / "pg_dump") if bin_dir else "pg_dump"
    result = subprocess.run(
        [
            pg_dump, "--no-owner", "--no-privileges", "--file", str(target),
            "--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432),
            "--username", db["USER"] or "postgres", db["NAME"],
        ],
        env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture
def migrated_dump(request) -> Path | None:
    """The dump of the migrated test database (tests/conftest.py), on PostgreSQL."""
    from tests.conftest import MIGRATED_DUMP

    if connection.vendor != "postgresql":
        return None
    request.getfixturevalue("django_db_setup")
    return request.config.stash.get(MIGRATED_DUMP, None)


@pytest.fixture
def cluster():
    bin_dir = server_programs()
    if bin_dir is None:
        if _postgresql_configured():
            pytest.fail(
                "PostgreSQL is configured for the tests but its server programs "
                f"({', '.join(PROGRAMS)}) are not under /usr/lib/postgresql/*/bin: "
                "install the postgresql package (the replica test needs them)."
            )
        pytest.skip("PostgreSQL server programs not installed (SQLite-only machine)")
    root = Path(tempfile.mkdtemp(prefix="mattran-replica-", dir="/tmp"))
    c = Cluster(bin_dir, root)
    if c.as_postgres:
        shutil.chown(root, "postgres", "postgres")
    try:
        yield c
    finally:
        try:
            c.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


# Runs inside `mattran shell` against the primary and the standby. Prints one JSON
# object per step.
SCRIPT = r"""
import datetime as dt, json, time
from django.db import connections
from django.test import Client
from django.urls import reverse

from mattran.access.models import Role
from mattran.activities.models import ActivityType
from mattran.funds import services as funds
from tests.factories import UserFactory, grant, make_unit

def say(step, **data):
    print(json.dumps({"step": step, **data}, ensure_ascii=False), flush=True)

def sql(alias, query):
    with connections[alias].cursor() as cur:
        cur.execute(query)
        return cur.fetchone()[0]

def caught_up(timeout=60):
    target = sql("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sql("replica", f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            return True
        time.sleep(0.1)
    return False

class Queries:
    # Counts the statements each database answers during one page.
    def __enter__(self):
        self.counts = {"default": 0, "replica": 0}
        self.stack = []
        for alias in self.counts:
            def wrapper(execute, sql_, params, many, context, alias=alias):
                self.counts[alias] += 1
                return execute(sql_, params, many, context)
            cm = connections[alias].execute_wrapper(wrapper)
            cm.__enter__()
            self.stack.append(cm)
        return self
    def __exit__(self, *exc):
        for cm in reversed(self.stack):
            cm.__exit__(*exc)

def page(client, url, method="get", data=None):
    with Queries() as q:
        response = getattr(client, method)(url, data or {})
    return response, q.counts

say("recovery", standby=sql("replica", "SELECT pg_is_in_recovery()"),
    primary=sql("default", "SELECT pg_is_in_recovery()"))

city = make_unit("Thành phố Thử")
district = make_unit("Quận A", city)
ward = make_unit("Phường A1", district)
writer, reader = UserFactory(username="ghi.phuong"), UserFactory(username="xem.quan")
grant(writer, ward, Role.EDITOR)
grant(reader, district, Role.VIEWER)
fund = funds.fund_create(actor=None, unit=district, name="Quỹ Vì người nghèo quận A",
                         kind="poor", opened_on=dt.date(2023, 1, 1))
toa_dam = ActivityType.objects.get(code="toa_dam")
say("caught-up-before", ok=caught_up())

writer_client, reader_client, visitor = Client(), Client(), Client()
writer_client.force_login(writer)
reader_client.force_login(reader)
report = reverse("reports:drilldown", args=[district.pk, "2023-9M", "toa_dam"])
own_report = reverse("reports:drilldown", args=[ward.pk, "2023-9M", "toa_dam"])
lookup = reverse("portal:lookup")
caught_up()

# Replay stops: from here the standby shows the database as it was.
sql("replica", "SELECT pg_wal_replay_pause()")
deadline = time.monotonic() + 30
while sql("replica", "SELECT pg_get_wal_replay_pause_state()") != "paused":
    assert time.monotonic() < deadline
    time.sleep(0.05)
say("paused", state=sql("replica", "SELECT pg_get_wal_replay_pause_state()"))

TITLE = "Tọa đàm ghi trong lúc bản sao dừng"
before, q = page(writer_client, own_report)
say("writer-before", status=before.status_code, shows=TITLE in before.text, queries=q)
created, q = page(writer_client, reverse("activities:create", args=[ward.pk]), "post",
                  {"type": toa_dam.pk, "date": "2023-05-05", "title": TITLE})
say("write", status=created.status_code, queries=q)
FUND = "Quỹ Cứu trợ mở trong lúc bản sao dừng"
funds.fund_create(actor=None, unit=district, name=FUND, kind="relief",
                  opened_on=dt.date(2023, 6, 1))

after, q = page(writer_client, own_report)
say("writer-after", status=after.status_code, shows=TITLE in after.text, queries=q)
other, q = page(reader_client, report)
say("reader-paused", status=other.status_code, shows=TITLE in other.text, queries=q)
public, q = page(visitor, lookup)
say("public-paused", status=public.status_code, shows=FUND in public.text,
    old_fund=fund.name in public.text, queries=q)
say("primary-has-it", activity=sql("default",
    "SELECT count(*) FROM activities_activityrecord WHERE title = '" + TITLE + "'"),
    replica=sql("replica",
    "SELECT count(*) FROM activities_activityrecord WHERE title = '" + TITLE + "'"))

sql("replica", "SELECT pg_wal_replay_resume()")
say("caught-up-after", ok=caught_up())
other, q = page(reader_client, report)
say("reader-resumed", status=other.status_code, shows=TITLE in other.text, queries=q)
public, q = page(visitor, lookup)
say("public-resumed", status=public.status_code, shows=FUND in public.text, queries=q)
"""


# django_db: the suite's test database must exist (it is what the primary is made from);
# the test itself reads and writes only its own cluster.
@pytest.mark.django_db
def test_reports_and_public_pages_read_a_real_streaming_replica(cluster, migrated_dump, tmp_path):
    started = time.monotonic()
    cluster.build_primary()
    cluster.run("createdb", "-h", "127.0.0.1", "-p", str(cluster.ports["primary"]),
                "-U", "postgres", "mattran")  # fmt: skip
    env = base_env(
        tmp_path,
        MATTRAN_DATABASE_URL=cluster.url("primary"),
        MATTRAN_ALLOWED_HOSTS="testserver,127.0.0.1",
        MATTRAN_REPLICA_PIN_SECONDS="600",
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
    )
    phases = {"primary": time.monotonic() - started}
    if migrated_dump is not None:
        cluster.run(
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
            "-p", str(cluster.ports["primary"]), "-U", "postgres", "-d", "mattran",
            input=migrated_dump.read_text(),
        )  # fmt: skip
        # The schema is the one the migrations built: nothing is left to apply.
        check = mattran("migrate", "--check", env=env, timeout=180)
        assert check.returncode == 0, check.stdout + check.stderr
    else:
        migrated = mattran("migrate", "--noinput", env=env, timeout=180)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    phases["migrate"] = time.monotonic() - started - sum(phases.values())
    cluster.build_standby()
    phases["standby"] = time.monotonic() - started - sum(phases.values())
    env["MATTRAN_REPLICA_DATABASE_URL"] = cluster.url("standby")

    result = mattran("shell", "--no-imports", "-c", SCRIPT, env=env, timeout=150)
    phases["pages"] = time.monotonic() - started - sum(phases.values())
    assert result.returncode == 0, result.stdout + result.stderr
    steps = {}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            step = json.loads(line)
            steps[step.pop("step")] = step

    assert steps["recovery"] == {"standby": True, "primary": False}
    assert steps["caught-up-before"]["ok"] and steps["paused"]["state"] == "paused"
    # Before any write of the session, the writer's report reads the replica.
    before = steps["writer-before"]
    assert before["status"] == 200 and not before["shows"]
    assert before["queries"]["replica"] > 0
    # The write goes to the primary (a redirect to the new record).
    assert steps["write"]["status"] == 302 and steps["write"]["queries"]["replica"] == 0
    assert steps["primary-has-it"] == {"activity": 1, "replica": 0}
    # Read-your-writes: the writer's next page reads the primary only, and shows it.
    after = steps["writer-after"]
    assert after["status"] == 200 and after["shows"]
    assert after["queries"]["replica"] == 0 and after["queries"]["default"] > 0
    # Another user's report and an anonymous public page read the paused replica:
    # the page is the database as it was (the proof that the replica served them).
    reader = steps["reader-paused"]
    assert reader["status"] == 200 and not reader["shows"] and reader["queries"]["replica"] > 0
    public = steps["public-paused"]
    assert public["status"] == 200 and public["old_fund"] and not public["shows"]
    assert public["queries"]["replica"] > 0
    # Replay resumed: the replica catches up and serves the new rows.
    assert steps["caught-up-after"]["ok"]
    assert steps["reader-resumed"]["shows"] and steps["reader-resumed"]["queries"]["replica"] > 0
    assert steps["public-resumed"]["shows"] and steps["public-resumed"]["queries"]["replica"] > 0
    print(
        f"streaming replica test: {time.monotonic() - started:.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items())
        + ")"
    )
