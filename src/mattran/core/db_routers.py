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
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.db import connections

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("mattran_replica_reads", default=False)


class replica_reads(contextlib.ContextDecorator):  # noqa: N801 - used like a function
    """Mark the reads inside as report reads (context manager or decorator)."""

    def __enter__(self):
        self._token = _replica_reads.set(True)
        return self

    def __exit__(self, *exc):
        _replica_reads.reset(self._token)
        return False


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _replica_reads.get()
            and replica_configured()
            and not connections["default"].in_atomic_block
        ):
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
