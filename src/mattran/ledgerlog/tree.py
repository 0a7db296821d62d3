"""The Merkle tree kept in tiles: appending leaf hashes and computing any subtree hash.

Tiles as in the Go checksum database (golang.org/x/mod/sumdb/tlog): tile level
L holds, in order, the hashes of the complete perfect subtrees of height
TILE_HEIGHT * L (level 0: the leaf hashes), TILE_WIDTH of them per row; a
tile still filling is rewritten as it grows, a full one never changes. The
hash of any perfect subtree of height h is computed from the at most
2 ** (h % TILE_HEIGHT) hashes of one tile of level h // TILE_HEIGHT, and any
RFC 6962 subtree (an aligned range of leaves) is a few perfect ones. So a
proof (about log2(n) subtree hashes) reads one or two tiles per level band in
one query and hashes at most a few hundred times, whatever the tree's size.

Storage: 32 bytes per leaf hash plus 32/16 + 32/256 + … for the levels above
(≈ 34 bytes of hashes per leaf), in rows of 512 bytes (stored inline, no TOAST).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from .models import LogTile
from .verifier import node_hash, root_from_hashes

TILE_HEIGHT = 4
TILE_WIDTH = 1 << TILE_HEIGHT
HASH = 32


def tile_key(level: int, index: int) -> int:
    return (level << 48) | index


def _split(data: bytes) -> list[bytes]:
    return [data[i : i + HASH] for i in range(0, len(data), HASH)]


class TileReader:
    """Tiles read from the database, each once (a reader lives for one request or append).

    `load` may be called first with tiles wanted later: they are read together
    with the next batch, in one query.
    """

    def __init__(self) -> None:
        self._tiles: dict[int, bytes] = {}
        self._wanted: set[int] = set()

    def load(self, keys: Iterable[int], *, now: bool = False) -> None:
        self._wanted.update(k for k in keys if k not in self._tiles)
        if now:
            self._fetch()

    def _fetch(self) -> None:
        missing, self._wanted = self._wanted, set()
        if missing:
            for key in missing:
                self._tiles[key] = b""  # not stored (yet): an empty tile
            for key, data in read_tiles(sorted(missing)):
                self._tiles[key] = bytes(data)

    def tile(self, level: int, index: int) -> bytes:
        key = tile_key(level, index)
        if key not in self._tiles:
            self.load([key], now=True)
        return self._tiles.get(key, b"")

    def put(self, key: int, data: bytes) -> None:
        self._tiles[key] = data


def read_tiles(keys: Sequence[int], extra_sql: str = "", params: Sequence = ()) -> list[tuple]:
    """(key, hashes) of the stored tiles among `keys`, in one plain query (no ORM: a proof
    is a few milliseconds and the ORM's query building was most of them)."""
    if not keys:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT key, hashes FROM ledgerlog_logtile WHERE key = ANY(%s)", [keys])
        else:
            marks = ", ".join(["%s"] * len(keys))
            cursor.execute(
                f"SELECT key, hashes FROM ledgerlog_logtile WHERE key IN ({marks})",  # noqa: S608
                list(keys),
            )
        return cursor.fetchall()


def proof_tile_keys(ranges: Sequence[tuple[int, int]]) -> list[int]:
    """The keys of the tiles that subtree_hashes(ranges) reads."""
    return sorted(
        {tile_key(*_tile_of(h, i)[:2]) for lo, hi in ranges for h, i in _perfect_pieces(lo, hi)}
    )


def _perfect_pieces(lo: int, hi: int) -> list[tuple[int, int]]:
    """An aligned range [lo, hi) as perfect subtrees (height, index), largest first."""
    pieces = []
    while lo < hi:
        height = (hi - lo).bit_length() - 1
        pieces.append((height, lo >> height))
        lo += 1 << height
    return pieces


def _tile_of(height: int, index: int) -> tuple[int, int, int, int]:
    """(tile level, tile index, first hash in the tile, number of hashes) for a perfect subtree."""
    level, rest = divmod(height, TILE_HEIGHT)
    first = index << rest  # position among the level's stored hashes
    return level, first // TILE_WIDTH, first % TILE_WIDTH, 1 << rest


def subtree_hashes(ranges: Sequence[tuple[int, int]], reader: TileReader | None = None):
    """MTH(D[lo:hi]) for each aligned range, with one query for all the tiles they need."""
    reader = reader if reader is not None else TileReader()
    pieces = [_perfect_pieces(lo, hi) for lo, hi in ranges]
    reader.load((tile_key(*_tile_of(h, i)[:2]) for ps in pieces for h, i in ps), now=True)
    memo: dict[tuple[int, int], bytes] = {}

    def perfect(height: int, index: int) -> bytes:
        found = memo.get((height, index))
        if found is None:
            level, tile, offset, count = _tile_of(height, index)
            data = reader.tile(level, tile)[offset * HASH : (offset + count) * HASH]
            if len(data) != count * HASH:
                raise LookupError(f"tree node {height}/{index} is not stored")
            found = memo[(height, index)] = root_from_hashes(_split(data))
        return found

    out = []
    for ps in pieces:
        h = perfect(*ps[-1])
        for piece in reversed(ps[:-1]):
            h = node_hash(perfect(*piece), h)
        out.append(h)
    return out


def root(size: int) -> bytes:
    if size == 0:
        return root_from_hashes([])
    return subtree_hashes([(0, size)])[0]


def append(start: int, hashes: Sequence[bytes], reader: TileReader | None = None) -> None:
    """Add leaf hashes at positions start, start+1, …: rewrite the partial tiles, add full ones."""
    reader = reader or TileReader()
    level, new = 0, list(hashes)
    while new:
        first_tile, have = divmod(start, TILE_WIDTH)
        prefix = _split(reader.tile(level, first_tile)[: have * HASH]) if have else []
        if len(prefix) != have:
            raise LookupError(f"tile {level}/{first_tile} holds {len(prefix)} hashes, not {have}")
        run = prefix + new
        rows = []
        for t, off in enumerate(range(0, len(run), TILE_WIDTH)):
            key = tile_key(level, first_tile + t)
            data = b"".join(run[off : off + TILE_WIDTH])
            reader.put(key, data)
            rows.append((key, data))
        _write_tiles(rows, replace_first=bool(have))
        done_before, done_after = start // TILE_WIDTH, (start + len(new)) // TILE_WIDTH
        new = [
            root_from_hashes(run[(c - first_tile) * TILE_WIDTH : (c - first_tile + 1) * TILE_WIDTH])
            for c in range(done_before, done_after)
        ]
        start, level = done_before, level + 1


def _write_tiles(rows: list[tuple[int, bytes]], *, replace_first: bool) -> None:
    if replace_first:
        LogTile.objects.filter(key=rows[0][0]).update(hashes=rows[0][1])
        rows = rows[1:]
    if not rows:
        return
    if connection.vendor == "postgresql":
        sql = "COPY ledgerlog_logtile (key, hashes) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        LogTile.objects.bulk_create([LogTile(key=k, hashes=d) for k, d in rows], batch_size=2000)
