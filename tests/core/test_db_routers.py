"""Report reads go to the read replica when MATTRAN_REPLICA_DATABASE_URL is set;
writes, transactions and unmarked reads stay on the primary.

Runs in a separate process against two real databases: a primary and a copy of
it (made with `mattran backup`) standing in for the replica, so a read that
lands on the wrong one shows."""

import sqlite3

from django.db import connections

from mattran.core.db_routers import ReplicaRouter, replica_reads
from tests.deploy.helpers import base_env, mattran

ROUTING_SCRIPT = """
from django.contrib.auth.models import User
from django.db import transaction
from mattran.core.db_routers import replica_reads

print("primary", User.objects.count())
with replica_reads():
    print("replica", User.objects.count())
    print("replica-sees-new", User.objects.filter(username="chi-o-ban-chinh").exists())
    with transaction.atomic():
        print("in-transaction", User.objects.count())
    User.objects.create_user("ghi-trong-bao-cao")
print("written-to-primary", User.objects.filter(username="ghi-trong-bao-cao").count())

@replica_reads()
def report():
    return User.objects.count()
print("decorated", report())
"""


def shell(env, code):
    result = mattran("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_report_reads_go_to_the_replica(tmp_path):
    primary = tmp_path / "primary.sqlite3"
    replica = tmp_path / "replica.sqlite3"
    env = base_env(tmp_path, MATTRAN_DATABASE_URL=f"sqlite:///{primary}")
    assert mattran("migrate", "--noinput", env=env, timeout=300).returncode == 0
    shell(env, "from django.contrib.auth.models import User; User.objects.create_user('chung')")
    assert mattran("backup", str(replica), env=env).returncode == 0
    shell(
        env,
        "from django.contrib.auth.models import User; User.objects.create_user('chi-o-ban-chinh')",
    )

    env["MATTRAN_REPLICA_DATABASE_URL"] = f"sqlite:///{replica}"
    out = dict(line.split(" ", 1) for line in shell(env, ROUTING_SCRIPT).splitlines())
    assert out == {
        "primary": "2",
        "replica": "1",
        "replica-sees-new": "False",
        "in-transaction": "2",
        "written-to-primary": "1",
        "decorated": "1",
    }
    with sqlite3.connect(replica) as db:
        assert db.execute("SELECT count(*) FROM auth_user").fetchone()[0] == 1


def test_without_a_replica_everything_uses_the_primary(db):
    assert "replica" not in connections.settings
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(None) is None
    assert router.db_for_write(None) is None
    assert router.allow_migrate("replica", "units") is False
    assert router.allow_migrate("default", "units") is None
