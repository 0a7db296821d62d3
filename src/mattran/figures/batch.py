"""The plain SQL statements of one computation, sent to PostgreSQL in one round trip.

A source that reads with plain SQL builds each statement from the request, as
`(sql, params)`. Before the sources compute, the engine asks every source that
has a `prepare` step (`registry.source_register(..., prepare=...)`) to add the
statements it will run, and sends them together: PostgreSQL runs several
statements sent at once and returns each one's rows (psycopg's client-side
cursor, `nextset`). When a source computes, it fetches its rows by the same
statement: what was prepared comes from the batch, anything else runs alone.
So a report's round trips do not grow with the number of sources, and a
statement built differently from the prepared one is never answered with the
wrong rows: it costs one round trip more. SQLite (in the process, no round
trip) runs the statements one by one.
"""

from __future__ import annotations

from django.db import connection


def _key(sql: str, params: list) -> str:
    return f"{sql}\x00{params!r}"


class Batch:
    def __init__(self) -> None:
        self._pending: dict[str, tuple[str, list]] = {}
        self._rows: dict[str, list[tuple]] = {}

    def add(self, sql: str, params: list) -> None:
        """A statement a source will fetch (added once however often it is asked)."""
        key = _key(sql, params)
        if key not in self._rows:
            self._pending.setdefault(key, (sql, list(params)))

    def run(self) -> None:
        """Send every statement added since the last run: one round trip on PostgreSQL."""
        pending, self._pending = self._pending, {}
        if not pending:
            return
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql" or len(pending) == 1:
                for key, (sql, params) in pending.items():
                    cursor.execute(sql, params)
                    self._rows[key] = cursor.fetchall()
                return
            cursor.execute(
                ";\n".join(sql for sql, _ in pending.values()),
                [p for _, params in pending.values() for p in params],
            )
            for i, key in enumerate(pending):
                if i and not cursor.nextset():
                    raise RuntimeError("a batched statement returned no result")
                self._rows[key] = cursor.fetchall()

    def fetch(self, sql: str, params: list) -> list[tuple]:
        """The rows of a statement: from the batch when it was prepared, else run now."""
        rows = self._rows.get(_key(sql, params))
        if rows is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        return rows
