"""Settings for the test suite: the application's settings, opted in to development
mode explicitly (the application itself defaults to production, see settings.py),
plus what only tests want."""

import os

# The suite runs the development configuration on purpose (no TLS redirect, no
# required second factor unless a test asks for it); subprocesses inherit it.
os.environ.setdefault("MATTRAN_DEBUG", "1")

# Under pytest-xdist each worker gets its own data directory and Redis database
# (tests/workers.py); the test database is made per worker by pytest-django.
from tests.workers import apply_to_environment  # noqa: E402

apply_to_environment()

from mattran.settings import *  # noqa: E402, F403
from mattran.settings import PASSWORD_HASHERS as _PRODUCTION_HASHERS  # noqa: E402

# The real hashers, for the tests marked `real_password_hashers` (tests/conftest.py).
PRODUCTION_PASSWORD_HASHERS = list(_PRODUCTION_HASHERS)
# PBKDF2 costs ~0.3 s per hash by design; tests create thousands of users.
# MD5 hashes new passwords; the real hashers after it still verify theirs.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *_PRODUCTION_HASHERS]

# The data-versioned caches (core/versions.py) are off in the suite: tests write inside
# a transaction that never commits, so versions would not move between tests that
# share the cache. The cache's own tests turn it on (tests/core/test_versions.py).
MATTRAN_DATA_CACHE = False

# Commits in the suite do not wait for the disk: a test database is thrown away, its
# durability is not under test, and waiting for each commit's flush (~2-10 ms on a
# shared disk) is a large part of the transactional, live-server and snapshot tests'
# time. PostgreSQL: `synchronous_commit=off` for the suite's own connections (a
# session setting; the server and the deploy tests' subprocesses keep theirs).
# SQLite: `synchronous=OFF` on the test file.
_db = DATABASES["default"]  # noqa: F405
if _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"]["options"] = " ".join(
        filter(None, [_db["OPTIONS"].get("options"), "-c synchronous_commit=off"])
    )
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"]["init_command"] += " PRAGMA synchronous=OFF;"
