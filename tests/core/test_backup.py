"""Backup and restore (`mattran backup/restore/verify_backup`) on the suite's
database (SQLite in one run, PostgreSQL in the other): a restore into a scratch
database equals the original, row for row and check for check."""

import json
import secrets
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connections

from mattran.core import backup
from mattran.core.backup_checks import CHECKS, compare, fingerprint, register_check
from mattran.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the suite's kind, dropped afterwards."""
    live = connections["default"].settings_dict
    if connections["default"].vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{live['NAME'][:40]}_r{secrets.token_hex(4)}"
    maintenance = {**live, "NAME": "postgres"}
    with backup.temporary_alias(maintenance) as alias, connections[alias].cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = live["USER"] + (f":{live['PASSWORD']}" if live.get("PASSWORD") else "")
    yield f"postgresql://{auth}@{live['HOST'] or 'localhost'}:{live['PORT'] or 5432}/{name}"
    with backup.temporary_alias(maintenance) as alias, connections[alias].cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def data(tree):
    get_user_model().objects.create_user("canbo", password="Mat-khau-dai-1")
    return tree


def test_backup_writes_the_dump_and_its_fingerprint(tmp_path, data, capsys):
    out = tmp_path / "mattran.backup"
    call_command("backup", str(out))
    manifest = json.loads((tmp_path / "mattran.backup.json").read_text())
    assert manifest["engine"] == connections["default"].vendor
    rows = manifest["fingerprint"]["row_counts"]
    assert rows["units_unit"] == Unit.objects.count() == 7
    assert rows["auth_user"] == 1
    assert rows["django_migrations"] > 10
    assert "Đã sao lưu" in capsys.readouterr().out


def test_restore_into_a_scratch_database_equals_the_original(tmp_path, data, scratch_url, capsys):
    out = tmp_path / "mattran.backup"
    call_command("backup", str(out))
    before = fingerprint("default")
    call_command("restore", str(out), "--database-url", scratch_url)
    assert "mọi số liệu khớp" in capsys.readouterr().out

    with backup.temporary_alias(backup.database_settings(scratch_url)) as alias:
        assert compare(before, fingerprint(alias)) == []
        names = sorted(Unit.objects.using(alias).values_list("name", flat=True))
        assert names == sorted(Unit.objects.values_list("name", flat=True))
        # The comparison can fail: lose one row in the copy and it is named.
        Unit.objects.using(alias).filter(name="Tổ dân phố 1").delete()
        differences = compare(before, fingerprint(alias))
    assert [(d.check, d.key, d.expected, d.actual) for d in differences] == [
        ("row_counts", "units_unit", 7, 6)
    ]


def test_restore_refuses_a_database_in_use_unless_replace(tmp_path, data, scratch_url):
    out = tmp_path / "mattran.backup"
    if connections["default"].vendor == "postgresql":
        # Another schema in the same database (a DBA's scratch work) is not backed up,
        # so it cannot collide when the backup is restored twice.
        with connections["default"].cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS khac CASCADE")
            cursor.execute("CREATE SCHEMA khac")
            cursor.execute("CREATE TABLE khac.nhap (id int)")
    call_command("backup", str(out))
    call_command("restore", str(out), "--database-url", scratch_url)
    with pytest.raises(CommandError, match="đã có dữ liệu. Dùng --replace"):
        call_command("restore", str(out), "--database-url", scratch_url)
    # With --replace, rows added after the backup are gone and everything matches again.
    with backup.temporary_alias(backup.database_settings(scratch_url)) as alias:
        get_user_model().objects.db_manager(alias).create_user("moi", password="x")
    call_command("restore", str(out), "--database-url", scratch_url, "--replace")
    with backup.temporary_alias(backup.database_settings(scratch_url)) as alias:
        assert not get_user_model().objects.using(alias).filter(username="moi").exists()
    if connections["default"].vendor == "postgresql":
        with connections["default"].cursor() as cursor:
            cursor.execute("DROP SCHEMA khac CASCADE")


def test_verify_backup_uses_and_drops_a_scratch_copy(tmp_path, data, capsys):
    out = tmp_path / "mattran.backup"
    call_command("backup", str(out))
    Unit.objects.filter(name="Tổ dân phố 1").delete()  # the live data moves on
    call_command("verify_backup", str(out))
    assert "Kiểm tra" in capsys.readouterr().out
    if connections["default"].vendor == "postgresql":
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", ["%_verify_%"])
            assert cursor.fetchone()[0] == 0


def test_a_damaged_or_incomplete_backup_is_refused(tmp_path, data):
    out = tmp_path / "mattran.backup"
    call_command("backup", str(out))
    with out.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00\xff\x00\xff")
    with pytest.raises(CommandError, match="SHA-256 không khớp"):
        call_command("verify_backup", str(out))
    (tmp_path / "mattran.backup.json").unlink()
    with pytest.raises(CommandError, match="Thiếu tệp mô tả"):
        call_command("verify_backup", str(out))


def test_writes_during_the_backup_are_in_neither_the_dump_nor_its_fingerprint(
    tmp_path, data, scratch_url, monkeypatch
):
    """PostgreSQL: the fingerprint and pg_dump share one exported snapshot. SQLite:
    the fingerprint is taken from the copy. Either way a user saving while the
    backup runs cannot make the backup disagree with itself."""
    users = get_user_model().objects

    def write_from_another_connection():
        with backup.temporary_alias(backup.database_settings()) as alias:
            users.db_manager(alias).create_user("trong-luc-sao-luu", password="x")

    if connections["default"].vendor == "postgresql":
        real_run = backup._run

        def run_while_someone_writes(cmd, env):
            write_from_another_connection()
            real_run(cmd, env)

        monkeypatch.setattr(backup, "_run", run_while_someone_writes)
    else:
        real_alias = backup.temporary_alias

        def alias_after_someone_writes(settings_dict):
            users.create_user("trong-luc-sao-luu", password="x")  # autocommit
            return real_alias(settings_dict)

        monkeypatch.setattr(backup, "temporary_alias", alias_after_someone_writes)

    out = tmp_path / "mattran.backup"
    manifest = backup.backup_create(out=out)
    monkeypatch.undo()
    assert users.filter(username="trong-luc-sao-luu").exists()  # the write happened
    assert manifest["fingerprint"]["row_counts"]["auth_user"] == 1
    assert backup.backup_restore(path=out, target_url=scratch_url) == []
    with backup.temporary_alias(backup.database_settings(scratch_url)) as alias:
        assert not users.using(alias).filter(username="trong-luc-sao-luu").exists()


def test_apps_register_their_own_checks(tmp_path, data, scratch_url):
    """The hook the funds app uses for ledger totals per fund."""

    @register_check("units_per_level")
    def units_per_level(using):
        from django.db.models import Count, Sum

        rows = Unit.objects.using(using).order_by().values("level").annotate(n=Count("id"))
        # PostgreSQL answers a SUM of integers as a Decimal: stored as an exact int.
        total = Unit.objects.using(using).aggregate(total=Sum("level"))["total"]
        return {**{str(r["level"]): r["n"] for r in rows}, "sum": Decimal(total)}

    try:
        out = tmp_path / "mattran.backup"
        manifest = backup.backup_create(out=out)
        assert manifest["fingerprint"]["units_per_level"] == {
            "1": 1,
            "2": 2,
            "3": 3,
            "4": 1,
            "sum": 1 + 2 * 2 + 3 * 3 + 4,
        }
        assert backup.backup_restore(path=out, target_url=scratch_url) == []
    finally:
        CHECKS.pop("units_per_level")
