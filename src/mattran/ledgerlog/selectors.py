"""Public reads of the ledger log, in the shapes the API serves and the verifier reads.

Everything here is public: heads, keys, leaves (public fields only), proofs.
The same dicts feed the JSON API, the portal pages and `mattran verify-log`
(DbSource), so the verifier checks exactly what the public sees.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.db import connection

from mattran.core.errors import UserFacingError

from . import tree
from .leaves import ENTRY_FIELDS, entry_leaf, leaves_for
from .models import LeafSource, LogLeaf, LogState, SigningKey, TreeHead
from .verifier import consistency_ranges, inclusion_ranges

MAX_LEAVES = 1000  # per request


def log_size() -> int:
    state = LogState.objects.filter(pk=1).first()
    return state.size if state else 0


def _head(h: TreeHead) -> dict[str, Any]:
    return {
        "size": h.size,
        "root": bytes(h.root).hex(),
        "timestamp": h.timestamp_ms,
        "key_id": h.key.key_id,
        "signature": base64.b64encode(bytes(h.signature)).decode(),
    }


def heads_public() -> list[dict[str, Any]]:
    return [_head(h) for h in TreeHead.objects.select_related("key").order_by("timestamp_ms", "id")]


def latest_head() -> dict[str, Any] | None:
    h = TreeHead.objects.select_related("key").order_by("-timestamp_ms", "-id").first()
    return _head(h) if h else None


def keys_public() -> list[dict[str, Any]]:
    return [
        {
            "key_id": k.key_id,
            "public_key": base64.b64encode(bytes(k.public_key)).decode(),
            "endorsement": base64.b64encode(bytes(k.endorsement)).decode(),
            "created_at": k.created_at.isoformat(),
            "retired_at": k.retired_at.isoformat() if k.retired_at else None,
        }
        for k in SigningKey.objects.order_by("id")
    ]


def log_info() -> dict[str, Any]:
    return {"size": log_size(), "keys": keys_public(), "heads": heads_public()}


def _stored_leaf_hashes(start: int, end: int, reader=None) -> list[bytes]:
    reader = reader or tree.TileReader()
    first, last = start // tree.TILE_WIDTH, (end - 1) // tree.TILE_WIDTH
    reader.load((tree.tile_key(0, t) for t in range(first, last + 1)), now=True)
    data = b"".join(reader.tile(0, t) for t in range(first, last + 1))
    offset = first * tree.TILE_WIDTH
    return [
        data[(i - offset) * tree.HASH : (i - offset + 1) * tree.HASH] for i in range(start, end)
    ]


def leaves_range(start: int, end: int) -> list[dict[str, Any]]:
    """Leaves [start, end): number, source, the leaf's public data now, the hash logged then."""
    size = log_size()
    if not 0 <= start < end or end - start > MAX_LEAVES:
        raise UserFacingError(f"Khoảng lá không hợp lệ (tối đa {MAX_LEAVES} lá một lần).")
    end = min(end, size)
    if start >= end:
        return []
    rows = list(
        LogLeaf.objects.filter(index__gte=start, index__lt=end)
        .order_by("index")
        .values_list("index", "source", "source_id", "memo")
    )
    data = leaves_for(
        [(s, x) for _, s, x, _ in rows],
        {x: m for _, s, x, m in rows if s == LeafSource.ENTRY},
    )
    stored = _stored_leaf_hashes(start, end)
    return [
        {
            "index": i,
            "type": "entry" if s == LeafSource.ENTRY else "annotation",
            "id": x,
            "data": data[(s, x)],
            "leaf_hash": stored[i - start].hex(),
        }
        for i, s, x, _ in rows
    ]


def leaf_of_entry(entry_id: int) -> LogLeaf | None:
    return LogLeaf.objects.filter(source=LeafSource.ENTRY, source_id=entry_id).first()


_INCLUSION_SQL = """
    SELECT l."index", l.memo, (SELECT size FROM ledgerlog_logstate WHERE id = 1),
           (SELECT h.size FROM ledgerlog_treehead h ORDER BY h.timestamp_ms DESC, h.id DESC
            LIMIT 1),
           {fields}
    FROM ledgerlog_logleaf l LEFT JOIN funds_ledgerentry e ON e.id = l.source_id
    WHERE l.source = %s AND l.source_id = %s
""".format(fields=", ".join(f"e.{f}" for f in ENTRY_FIELDS))  # noqa: S608 - fixed names


def inclusion_public(*, entry_id: int, size: int | None = None) -> dict[str, Any]:
    """The leaf of a ledger entry and its inclusion proof to the tree of `size` leaves.

    Two plain queries: the leaf with the log's size, the latest head's size and
    the ledger row; the tiles of the proof (its leaf's tile with them).
    """
    with connection.cursor() as cursor:
        cursor.execute(_INCLUSION_SQL, [LeafSource.ENTRY.value, entry_id])
        row = cursor.fetchone()
    if row is None:
        raise UserFacingError(f"Bút toán {entry_id} không có trong sổ cái công khai.")
    index, memo, stored_size, head_size, *entry = row
    if size is None:
        if head_size is None:
            raise UserFacingError("Sổ chưa có đầu cây nào được ký.")
        size = head_size
    elif not 0 < size <= (stored_size or 0):
        raise UserFacingError(f"Sổ không có cây {size} lá.")
    if index >= size:
        raise UserFacingError(
            f"Bút toán {entry_id} vào sổ sau đầu cây {size} lá; hãy chờ đầu cây kế tiếp."
        )
    data = None
    if entry[0] is not None:  # the ledger row still exists
        fields = dict(zip(ENTRY_FIELDS, entry, strict=True))
        if not isinstance(fields["booked_on"], dt.date):  # SQLite gives text
            fields["booked_on"] = dt.date.fromisoformat(fields["booked_on"])
        data = entry_leaf(fields, memo)
    ranges = inclusion_ranges(index, size)
    reader = tree.TileReader()
    reader.load([tree.tile_key(0, index // tree.TILE_WIDTH), *tree.proof_tile_keys(ranges)])
    proof = tree.subtree_hashes(ranges, reader)
    return {
        "entry": entry_id,
        "index": index,
        "size": size,
        "data": data,
        "leaf_hash": _stored_leaf_hashes(index, index + 1, reader)[0].hex(),
        "proof": [p.hex() for p in proof],
    }


def consistency_public(*, first: int, second: int) -> dict[str, Any]:
    """A consistency proof between the trees of `first` and `second` leaves: one query
    (the log's size read with the proof's tiles)."""
    ranges = consistency_ranges(first, second) if 0 <= first <= second else []
    keys = tree.proof_tile_keys(ranges)
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(keys)) or "NULL"
        cursor.execute(
            f"SELECT s.size, t.key, t.hashes FROM ledgerlog_logstate s "  # noqa: S608
            f"LEFT JOIN ledgerlog_logtile t ON t.key IN ({marks}) WHERE s.id = 1",
            keys,
        )
        rows = cursor.fetchall()
    size = rows[0][0] if rows else 0
    if not 0 <= first <= second <= size:
        raise UserFacingError(f"Kích thước không hợp lệ: cần 0 ≤ {first} ≤ {second} ≤ {size}.")
    reader = tree.TileReader()
    for key in keys:
        reader.put(key, b"")
    for _, key, data in rows:
        if key is not None:
            reader.put(key, bytes(data))
    return {
        "first": first,
        "second": second,
        "proof": [p.hex() for p in tree.subtree_hashes(ranges, reader)],
    }


class DbSource:
    """The verifier's data source read straight from this database (mattran verify-log)."""

    def heads(self) -> dict:
        return log_info()

    def leaves(self, start: int, end: int) -> list[dict]:
        return leaves_range(start, end)

    def inclusion(self, entry: int, size: int) -> dict:
        return inclusion_public(entry_id=entry, size=size)

    def consistency(self, first: int, second: int) -> dict:
        return consistency_public(first=first, second=second)
