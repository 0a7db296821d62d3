"""Connection set-up for the append-only ledger on SQLite (see migration 0002)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from django.db.backends.signals import connection_created
from django.dispatch import receiver

_state = threading.local()


def _writable() -> int:
    return 1 if getattr(_state, "maintenance", False) else 0


@receiver(connection_created)
def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "mattran_ledger_writable", 0, _writable, deterministic=False
        )


@contextlib.contextmanager
def ledger_maintenance() -> Iterator[None]:
    """Let this thread's SQLite connection delete ledger rows (database flush only)."""
    previous = getattr(_state, "maintenance", False)
    _state.maintenance = True
    try:
        yield
    finally:
        _state.maintenance = previous
