"""Writes to the public ledger log: append leaves (in the ledger write's transaction), sign heads.

Every ledger write in funds calls funds.hooks.entries_booked inside its
transaction; `on_entries_booked` appends the new public lines as leaves
there and then, so a line is committed with its leaf or not at all ("no
entry is public before it is in the log"). Leaves are numbered in one order
for the whole log: the append locks the single LogState row (SELECT … FOR
UPDATE; on SQLite the write transaction is already exclusive) until commit.

Only lines of public funds are logged. A fund made public later has its lines
appended by `log_catch_up` (run by `mattran ledger_sign` before each head).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError
from mattran.funds.hooks import StagedEntries
from mattran.funds.models import Fund, LedgerEntry

from . import tree
from .keys import signing_key
from .leaves import (
    ANNOTATION_FIELDS,
    ENTRY_FIELDS,
    annotation_leaf,
    annotation_model,
    entry_leaf,
    entry_leaf_bytes,
    entry_leaf_hash_sql,
)
from .models import LeafSource, LogLeaf, LogState, TreeHead
from .verifier import canonical_bytes, head_message, leaf_hash

log = logging.getLogger(__name__)
CHUNK = 20_000  # leaves hashed and written at a time (memory stays flat)


def _lock_state() -> LogState:
    LogState.objects.get_or_create(pk=1)
    return LogState.objects.select_for_update().get(pk=1)


def _insert_leaves(rows: list[tuple[int, int, int, str]]) -> None:
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.copy(
                'COPY ledgerlog_logleaf ("index", source, source_id, memo) FROM STDIN'
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        LogLeaf.objects.bulk_create(
            [LogLeaf(index=i, source=s, source_id=x, memo=m) for i, s, x, m in rows],
            batch_size=2000,
        )


def _append(state: LogState, source: int, leaves: Sequence[dict[str, Any]]) -> None:
    """Append leaves (already in order) at the end of the log; state is locked."""
    if not leaves:
        return
    start = state.size
    serialise = entry_leaf_bytes if source == LeafSource.ENTRY else canonical_bytes
    hashes = [leaf_hash(serialise(leaf)) for leaf in leaves]
    memo = source == LeafSource.ENTRY  # an entry's masked memo is kept as committed
    _insert_leaves(
        [
            (start + n, source, leaf["id"], leaf["memo"] if memo else "")
            for n, leaf in enumerate(leaves)
        ]
    )
    tree.append(start, hashes)
    state.size = start + len(leaves)
    LogState.objects.filter(pk=1).update(size=state.size)


def _public_entries(qs) -> Iterable[list[dict[str, Any]]]:
    """Rows of public funds' entries, in id order, CHUNK at a time (keyset pagination)."""
    qs = qs.filter(fund__is_public=True).order_by("pk").values(*ENTRY_FIELDS)
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last)[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def log_entries(qs) -> int:
    """Append the public entries of a queryset (not yet logged) as leaves. Returns the count."""
    state = _lock_state()
    n = 0
    for rows in _public_entries(qs):
        _append(state, LeafSource.ENTRY, [entry_leaf(r) for r in rows])
        n += len(rows)
    return n


def log_annotations(ids: Iterable[int]) -> int:
    model = annotation_model()
    ids = list(ids)
    if model is None or not ids:
        return 0
    state = _lock_state()
    rows = (
        model.objects.filter(pk__in=ids, entry__fund__is_public=True)
        .order_by("pk")
        .values(*ANNOTATION_FIELDS)
    )
    leaves = [annotation_leaf(r) for r in rows]
    _append(state, LeafSource.ANNOTATION, leaves)
    return len(leaves)


def log_staged(staged: StagedEntries) -> int:
    """Append a statement import's entries from its staging table (PostgreSQL), set-based.

    The same leaves as log_entries, in entry id order, without reading the
    rows into Python or masking the memos again: one INSERT … SELECT writes
    the leaf rows (memo: the import's masked memo), and the leaf hashes,
    computed by the database from the ledger rows (leaves.entry_leaf_hash_sql),
    come back CHUNK at a time to extend the tree's tiles.
    """
    if not Fund.objects.filter(pk=staged.fund_id, is_public=True).exists():
        return 0
    state = _lock_state()
    start = state.size
    with connection.cursor() as cursor:
        # the import's staging table (a name it made); values are bound
        insert = (
            'INSERT INTO ledgerlog_logleaf ("index", source, source_id, memo) '  # noqa: S608
            "SELECT %s + row_number() OVER (ORDER BY entry_id) - 1, %s, entry_id, masked_memo "
            f"FROM {staged.table}"
        )
        cursor.execute(insert, [start, LeafSource.ENTRY.value])
        n = cursor.rowcount
    if not n:
        return 0
    hashes = connection.connection.cursor(name=f"ledgerlog_staged_{staged.table}")
    if staged.hashed:  # hashed by the import as it wrote (the same SQL, batch by batch)
        select = f"SELECT leaf_hash FROM {staged.table} ORDER BY entry_id"  # noqa: S608
        params = []
    else:
        # the import's entry ids are one range of the ledger (others may interleave): the
        # range keeps the join to that part of a ledger of millions whatever the plan
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(entry_id), MAX(entry_id) FROM {staged.table}")  # noqa: S608
            params = list(cursor.fetchone())
        select = (
            f"SELECT {entry_leaf_hash_sql('e', 's.masked_memo')} "  # noqa: S608
            f"FROM {staged.table} s JOIN funds_ledgerentry e ON e.id = s.entry_id "
            "WHERE e.id BETWEEN %s AND %s ORDER BY s.entry_id"
        )
    hashes.execute(select, params)
    appended = 0
    try:
        while rows := hashes.fetchmany(CHUNK):
            tree.append(start + appended, [bytes(h) for (h,) in rows])
            appended += len(rows)
    finally:
        hashes.close()
    if appended != n:
        raise RuntimeError(f"log: {n} leaves written, {appended} hashes appended")
    state.size = start + n
    LogState.objects.filter(pk=1).update(size=state.size)
    return n


def on_entries_booked(
    *,
    entry_ids: Sequence[int],
    annotation_ids: Sequence[int],
    statement_import: Any,
    staged: StagedEntries | None = None,
) -> None:
    """funds.hooks listener: log what was just written, in the same transaction."""
    if entry_ids:
        log_entries(LedgerEntry.objects.filter(pk__in=list(entry_ids)))
    if statement_import is not None:
        if staged is not None:
            log_staged(staged)
        else:
            log_entries(
                LedgerEntry.objects.filter(statement_line__statement_import=statement_import)
            )
        transaction.on_commit(_sign_after_import)
    if annotation_ids:
        log_annotations(annotation_ids)


def _sign_after_import() -> None:
    try:
        head_sign()
    except UserFacingError as exc:  # no key configured: the daily head will cover it
        log.warning("tree head not signed after the import: %s", exc)


@transaction.atomic
def log_catch_up() -> int:
    """Append public lines not yet in the log (a fund made public later, older rows)."""
    logged = LogLeaf.objects.filter(source=LeafSource.ENTRY).values("source_id")
    n = log_entries(LedgerEntry.objects.exclude(pk__in=logged))
    model = annotation_model()
    if model is not None:
        logged_a = LogLeaf.objects.filter(source=LeafSource.ANNOTATION).values("source_id")
        n += log_annotations(model.objects.exclude(pk__in=logged_a).values_list("pk", flat=True))
    return n


@transaction.atomic
def head_sign(*, actor=None) -> TreeHead:
    """Sign the log as it is now: size, root, time (milliseconds since 1970, UTC)."""
    private, key = signing_key()
    state = LogState.objects.filter(pk=1).first()
    size = state.size if state else 0
    root = tree.root(size)
    stamp = int(timezone.now().timestamp() * 1000)
    last = TreeHead.objects.order_by("-timestamp_ms", "-id").first()
    if last is not None and stamp <= last.timestamp_ms:
        stamp = last.timestamp_ms + 1  # strictly increasing times
    head = TreeHead.objects.create(
        size=size,
        root=root,
        timestamp_ms=stamp,
        key=key,
        signature=private.sign(head_message(size, root, stamp)),
    )
    audit_record(
        actor=actor,
        action="ledgerlog.sign",
        obj=head,
        after={"size": size, "root": root.hex(), "timestamp_ms": stamp, "key": key.key_id},
    )
    return head
