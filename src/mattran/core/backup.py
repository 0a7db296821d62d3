"""Backup and restore of the whole database, with a proof that a restore is exact.

PostgreSQL: `pg_dump --format=custom` taken inside a REPEATABLE READ transaction
whose snapshot is exported to pg_dump (`--snapshot`), so the fingerprint written
beside the dump (backup_checks: row counts per table, ledger totals per fund, …)
describes exactly the data in the dump, even while users keep working.
Restore with `pg_restore`. SQLite: the sqlite3 online backup API (a consistent
copy of a live database), fingerprinted from the copy.

Each backup is two files: OUT (the dump) and OUT.json (the manifest: engine,
SHA-256 of the dump, fingerprint).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
from django.db import connections, transaction
from django.utils import timezone

from .backup_checks import Difference, compare, fingerprint
from .errors import UserFacingError

MANIFEST_FORMAT = 1


class BackupError(UserFacingError):
    pass


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu loại {engine}.")


def database_settings(url: str | None = None) -> dict:
    """The settings of the default database, or of the database at `url`."""
    base = dict(connections["default"].settings_dict)
    if not url:
        return base
    parsed = dj_database_url.parse(url)
    return {**base, **parsed, "OPTIONS": parsed.get("OPTIONS", {}), "TEST": {}}


@contextlib.contextmanager
def temporary_alias(settings_dict: dict) -> Iterator[str]:
    """A Django database alias for `settings_dict`, removed afterwards."""
    alias = f"backup_{secrets.token_hex(4)}"
    options = dict(settings_dict.get("OPTIONS") or {})
    options.pop("init_command", None)  # never switch a backup file to WAL mode
    connections.settings[alias] = {**settings_dict, "OPTIONS": options, "CONN_MAX_AGE": 0}
    try:
        connection = connections[alias]  # created and kept for this thread
    finally:
        # Not one of the configured databases: a dynamic connection, as Django
        # calls it (nothing that loops over the settings' databases sees it).
        del connections.settings[alias]
    try:
        yield alias
    finally:
        connection.close()
        del connections[alias]


def _pg_args(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"Không tìm thấy chương trình {name} "
            "(cài gói postgresql-client cùng phiên bản máy chủ)."
        )
    return found


def _run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} báo lỗi: {result.stderr.strip()[:2000]}")


# ------------------------------------------------------------------------- backup


def backup_create(*, out: Path) -> dict:
    """Dump the default database to `out` and write `out`.json; returns the manifest."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    settings_dict = database_settings()
    vendor = _vendor(settings_dict)
    prints = _pg_backup(settings_dict, out) if vendor == "postgresql" else _sqlite_backup(out)
    manifest = {
        "format": MANIFEST_FORMAT,
        "engine": vendor,
        "database": str(settings_dict["NAME"]),
        "created_at": timezone.now().isoformat(),
        "file": out.name,
        "size": out.stat().st_size,
        "sha256": _sha256(out),
        "fingerprint": prints,
    }
    manifest_path(out).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def _pg_backup(settings_dict: dict, out: Path) -> dict:
    args, env = _pg_args(settings_dict)
    connection = connections["default"]
    if connection.in_atomic_block:
        raise BackupError("Không sao lưu được từ bên trong một giao dịch đang mở.")
    with transaction.atomic(using="default"), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [
                _tool("pg_dump"),
                *args,
                "--format=custom",
                # The application's schema only: anything else in the database (a
                # DBA's scratch schema, a test snapshot) is not mattran's to back up,
                # and a restore with --replace replaces exactly this schema.
                "--schema=public",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={out}",
                str(settings_dict["NAME"]),
            ],
            env,
        )
        # Same transaction, same snapshot: the figures of exactly what was dumped.
        return fingerprint("default")


def _sqlite_backup(out: Path) -> dict:
    connection = connections["default"]
    connection.ensure_connection()
    if out.exists():
        out.unlink()
    target = sqlite3.connect(out)
    try:
        connection.connection.backup(target)
        # A single self-contained file (the live database runs in WAL mode).
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    with temporary_alias({**database_settings(), "NAME": str(out)}) as alias:
        return fingerprint(alias)


# ------------------------------------------------------------------------ restore


def manifest_read(path: Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise BackupError(f"Không thấy tệp sao lưu {path}.")
    try:
        manifest = json.loads(manifest_path(path).read_text())
    except FileNotFoundError as error:
        raise BackupError(
            f"Thiếu tệp mô tả {manifest_path(path).name} đi kèm bản sao lưu."
        ) from error
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError("Tệp mô tả bản sao lưu không đúng định dạng.")
    if _sha256(path) != manifest["sha256"]:
        raise BackupError(
            "Tệp sao lưu đã bị thay đổi hoặc hỏng (mã SHA-256 không khớp với tệp mô tả)."
        )
    return manifest


def database_is_empty(settings_dict: dict) -> bool:
    with temporary_alias(settings_dict) as alias, connections[alias].cursor() as cursor:
        return not connections[alias].introspection.table_names(cursor)


def backup_restore(
    *, path: Path, target_url: str | None = None, replace: bool = False
) -> list[Difference]:
    """Restore `path` into the default database (or `target_url`) and compare the
    restored data with the backup's fingerprint; returns the differences (none = exact)."""
    return _restore_into(
        manifest=manifest_read(path),
        path=Path(path),
        target=database_settings(target_url),
        replace=replace,
    )


def _restore_into(*, manifest: dict, path: Path, target: dict, replace: bool) -> list[Difference]:
    vendor = _vendor(target)
    if vendor != manifest["engine"]:
        raise BackupError(
            f"Bản sao lưu của {manifest['engine']} không khôi phục được vào {vendor}."
        )
    if not database_is_empty(target) and not replace:
        raise BackupError(
            f"Cơ sở dữ liệu {target['NAME']} đã có dữ liệu. Dùng --replace để thay toàn bộ "
            "(hãy dừng ứng dụng và tiến trình nền trước)."
        )
    if vendor == "postgresql":
        _pg_restore(path, target)
    else:
        _sqlite_restore(path, target)
    with temporary_alias(target) as alias:
        return compare(manifest["fingerprint"], fingerprint(alias))


def _pg_restore(path: Path, target: dict) -> None:
    with temporary_alias(target) as alias, connections[alias].cursor() as cursor:
        # Replace means replace: objects newer than the backup must not survive.
        cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    args, env = _pg_args(target)
    # A dump of the public schema alone (`--schema=public`) creates that schema, which
    # was just made above: restore every entry of the dump's table of contents but that.
    listing = subprocess.run(  # noqa: S603
        [_tool("pg_restore"), "--list", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        raise BackupError(f"pg_restore báo lỗi: {listing.stderr.strip()[:2000]}")
    entries = [
        line for line in listing.stdout.splitlines() if not re.search(r" SCHEMA - public ", line)
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as toc:
        toc.write("\n".join(entries) + "\n")
        toc.flush()
        _run(
            [
                _tool("pg_restore"),
                *args,
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--use-list={toc.name}",
                f"--dbname={target['NAME']}",
                str(path),
            ],
            env,
        )


def _sqlite_restore(path: Path, target: dict) -> None:
    name = str(target["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("Không khôi phục vào cơ sở dữ liệu SQLite trong bộ nhớ.")
    for alias in connections:
        if connections[alias].settings_dict.get("NAME") == name:
            connections[alias].close()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    destination = sqlite3.connect(name)
    try:
        source.backup(destination)
    finally:
        source.close()
        destination.close()


# ------------------------------------------------------------------------- verify


def backup_verify(*, path: Path) -> list[Difference]:
    """Restore `path` into a scratch database, compare, and drop the scratch copy."""
    manifest = manifest_read(path)
    live = database_settings()
    if manifest["engine"] == "postgresql":
        if _vendor(live) != "postgresql":
            raise BackupError("Cần cấu hình PostgreSQL để kiểm tra bản sao lưu PostgreSQL.")
        scratch = f"{str(live['NAME'])[:40]}_verify_{secrets.token_hex(4)}"
        maintenance = {**live, "NAME": "postgres"}
        with temporary_alias(maintenance) as alias, connections[alias].cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{scratch}"')
        try:
            return _restore_into(
                manifest=manifest, path=Path(path), target={**live, "NAME": scratch}, replace=True
            )
        finally:
            with temporary_alias(maintenance) as alias, connections[alias].cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    with tempfile.TemporaryDirectory(prefix="mattran-verify-") as tmp:
        scratch = {
            **live,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(tmp) / "db.sqlite3"),
        }
        return _restore_into(manifest=manifest, path=Path(path), target=scratch, replace=True)
