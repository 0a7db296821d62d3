"""Report reads go to the read replica when MATTRAN_REPLICA_DATABASE_URL is set;
writes, transactions and unmarked reads stay on the primary.

Runs in a separate process against two real databases: a primary and a copy of
it (made with `mattran backup`) standing in for the replica, so a read that
lands on the wrong one shows."""

import sqlite3

import pytest
from django.db import connections

from mattran.core.db_routers import ReplicaRouter, replica_reads
from tests.deploy.helpers import base_env, mattran, use_migrated

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


@pytest.mark.once  # a subprocess on its own SQLite files: the same in both passes
def test_report_reads_go_to_the_replica(tmp_path, migrated_sqlite):
    primary = tmp_path / "primary.sqlite3"
    replica = tmp_path / "replica.sqlite3"
    env = base_env(tmp_path, MATTRAN_DATABASE_URL=f"sqlite:///{primary}")
    use_migrated(migrated_sqlite, primary)
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


def test_a_user_who_wrote_reads_the_primary_on_the_next_pages(
    rf, transactional_db, monkeypatch, settings
):
    """Read-your-writes (ReadYourWritesMiddleware): the router's answer inside a report
    read, for a session that just wrote and for one that did not."""
    import time

    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from mattran.core.db_routers import PIN_SESSION_KEY, ReadYourWritesMiddleware

    monkeypatch.setitem(connections.settings, "replica", dict(connections.settings["default"]))
    settings.MATTRAN_REPLICA_PIN_SECONDS = 60
    router = ReplicaRouter()
    answers = []

    def page(request):
        if request.method == "POST":
            User.objects.create_user("vua-ghi")
        with replica_reads():
            answers.append(router.db_for_read(User))
        return HttpResponse("ok")

    middleware = ReadYourWritesMiddleware(page)
    writer, other = SessionStore(), SessionStore()

    def visit(method, session):
        request = getattr(rf, method)("/bao-cao/")
        request.session = session
        middleware(request)

    visit("get", writer)  # nothing written yet: the replica
    visit("post", writer)  # the write itself
    visit("get", writer)  # the page after it: the primary
    visit("get", other)  # someone else: still the replica
    assert answers == ["replica", "replica", None, "replica"]
    assert writer[PIN_SESSION_KEY] > time.time() + 50 and PIN_SESSION_KEY not in other
    writer[PIN_SESSION_KEY] = time.time() - 1  # the pin has run out
    visit("get", writer)
    assert answers[-1] == "replica"


def test_a_decorated_view_is_safe_in_threads():
    """gunicorn's gthread workers run one decorated view in several threads at once:
    each call sets and resets its own flag (one shared instance raised "Token ...
    has already been used once", a 500, on the report page under threads)."""
    import threading

    from mattran.core.db_routers import _replica_reads, primary_reads

    inside = threading.Barrier(2, timeout=10)
    seen, errors = [], []

    @replica_reads()
    def report():
        inside.wait()  # both calls have entered (set) before either leaves (reset)
        with primary_reads():
            seen.append(("primary", _replica_reads.get()))
        seen.append(("replica", _replica_reads.get()))
        inside.wait()

    def call():
        try:
            report()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert errors == []
    assert sorted(seen) == [("primary", False)] * 2 + [("replica", True)] * 2
    assert _replica_reads.get() is False
