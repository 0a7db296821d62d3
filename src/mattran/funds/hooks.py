"""Apps above funds that keep a derived public record of the ledger, told what was just written.

funds cannot import the apps that sit above it (ledgerlog keeps the public
transparency log of the ledger), so they register a listener at start-up and
every write of ledger rows calls `entries_booked` explicitly, inside its own
transaction, at one clear point: after the rows are inserted. A listener that
raises aborts the write (a ledger line is never committed without its leaf).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Listener = Callable[..., None]


@dataclass(frozen=True)
class StagedEntries:
    """A statement import's new ledger entries, as its staging table holds them (PostgreSQL).

    `table` is a temporary table of the current transaction with one row per
    new entry, in file order: `entry_id` (the funds_ledgerentry id) and
    `masked_memo` (mask_personal of the entry's memo, computed once by the
    import). All its entries belong to the fund `fund_id`.
    """

    table: str
    fund_id: int
    # True when the table's `leaf_hash` column holds each entry's leaf hash, computed by
    # the import batch by batch with the SQL registered by register_leaf_hash_sql
    hashed: bool = False


_listeners: list[Listener] = []
_leaf_hash_sql: list[Callable[[str, str], str]] = []


def register_leaf_hash_sql(function: Callable[[str, str], str]) -> None:
    """The SQL (PostgreSQL) of a ledger entry's public leaf hash, from the app that keeps the
    log (ledgerlog.leaves.entry_leaf_hash_sql(entry_alias, masked_memo_sql)): a statement
    import computes its leaves' hashes while it writes, in the server."""
    _leaf_hash_sql[:] = [function]


def leaf_hash_sql(entry: str, memo: str) -> str | None:
    """The registered leaf hash SQL for these aliases, or None when no app keeps a log."""
    return _leaf_hash_sql[0](entry, memo) if _leaf_hash_sql else None


def register_entries_booked(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def entries_booked(
    *,
    entry_ids: Sequence[int] = (),
    annotation_ids: Sequence[int] = (),
    statement_import: Any = None,
    staged: StagedEntries | None = None,
) -> None:
    """Ledger entries (by id), annotations (by id) or a whole statement import were written.

    For an import, `staged` names its staging table when there is one (PostgreSQL).
    """
    for listener in _listeners:
        listener(
            entry_ids=entry_ids,
            annotation_ids=annotation_ids,
            statement_import=statement_import,
            staged=staged,
        )
