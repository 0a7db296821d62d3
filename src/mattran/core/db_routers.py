"""Send report reads to a PostgreSQL read replica when one is configured.

Only reads that are marked as report reads go to the replica, because a
replica lags the primary by a moment: a page that has just saved something and
reads it back must read the primary. Report roll-ups (the heavy GROUP BY over a
subtree) are the reads worth moving, and they tolerate a second of lag.

    from mattran.core.db_routers import replica_reads

    @replica_reads()                  # a whole view
    def report_view(request, ...): ...

    with replica_reads():             # or one block
        figures = rollup_figures(...)

Without MATTRAN_REPLICA_DATABASE_URL, or inside a transaction, everything uses
the primary ("default"); writes always do.

Read-your-writes: a user who has just written (any INSERT, UPDATE or DELETE on the
primary during one of their requests) reads the primary on their next pages for
MATTRAN_REPLICA_PIN_SECONDS (`ReadYourWritesMiddleware`, kept in their session), so
the record they saved is on the page that follows, whatever the replica's lag.
"""

from __future__ import annotations

import contextlib
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PIN_SESSION_KEY = "mattran.primary_until"
_replica_reads: ContextVar[bool] = ContextVar("mattran_replica_reads", default=False)
_pinned: ContextVar[bool] = ContextVar("mattran_primary_pinned", default=False)
_WRITES = ("INSERT", "UPDATE", "DELETE")


class _FlagContext(contextlib.ContextDecorator):
    """A decorated view's calls each get a fresh instance: the token of its set() is
    the call's own, so threads (gunicorn's gthread workers) never reset another
    request's token (ContextDecorator reuses one instance by default)."""

    def _recreate_cm(self):
        return type(self)()


class replica_reads(_FlagContext):  # noqa: N801 - used like a function
    """Mark the reads inside as report reads (context manager or decorator)."""

    def __enter__(self):
        self._token = _replica_reads.set(True)
        return self

    def __exit__(self, *exc):
        _replica_reads.reset(self._token)
        return False


class primary_reads(_FlagContext):  # noqa: N801 - used like a function
    """The reads inside go to the primary even within `replica_reads` (a cache fill
    keyed by a version bumped on the primary's commit must not read a lagging replica)."""

    def __enter__(self):
        self._token = _replica_reads.set(False)
        return self

    def __exit__(self, *exc):
        _replica_reads.reset(self._token)
        return False


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _replica_chosen() -> bool:
    return (
        _replica_reads.get()
        and not _pinned.get()
        and replica_configured()
        and not connections["default"].in_atomic_block
    )


def replica_has_replayed_primary() -> bool:
    """Whether the replica has replayed everything the primary had written when asked
    (its WAL position now): then it holds every transaction committed before."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (position,) = cursor.fetchone()
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [str(position)])
        (replayed,) = cursor.fetchone()
    return bool(replayed)


def cache_fill_reads():
    """Where a cache fill keyed by data versions (core/versions.py) reads, entered
    right after the versions were read: the replica when it has replayed every
    commit the primary had made by then (each version is bumped after its commit),
    else the primary. A fill must never store a lagging replica's old rows under
    a new version."""
    if not _replica_chosen():
        return contextlib.nullcontext()
    with contextlib.suppress(Exception):  # no answer: read the primary
        if replica_has_replayed_primary():
            return contextlib.nullcontext()
    return primary_reads()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_chosen():
            return REPLICA
        return None  # Django's usual choice: the instance's database, else default

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives its schema from the primary by replication.
        return False if db == REPLICA else None


class ReadYourWritesMiddleware:
    """After SessionMiddleware: pins a user who wrote to the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None or not replica_configured():
            return self.get_response(request)
        wrote = False

        def watch(execute, sql, params, many, context):
            nonlocal wrote
            if not wrote and sql.lstrip()[:6].upper() in _WRITES:
                wrote = True
            return execute(sql, params, many, context)

        token = _pinned.set(time.time() < session.get(PIN_SESSION_KEY, 0))
        try:
            with connections["default"].execute_wrapper(watch):
                response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if wrote:
            session[PIN_SESSION_KEY] = time.time() + settings.MATTRAN_REPLICA_PIN_SECONDS
        return response
