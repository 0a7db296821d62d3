"""The tiled tree store gives the same roots and proofs as the whole list of leaf hashes."""

from __future__ import annotations

import random

import pytest

from mattran.ledgerlog import tree
from mattran.ledgerlog.models import LogTile
from mattran.ledgerlog.verifier import (
    consistency_proof,
    consistency_ranges,
    inclusion_proof,
    inclusion_ranges,
    leaf_hash,
    root_from_hashes,
)

pytestmark = pytest.mark.django_db


def test_tiles_give_every_root_and_proof_across_tile_boundaries():
    rng = random.Random(9162)
    hashes = [leaf_hash(rng.randbytes(6)) for _ in range(300)]
    start = 0
    for batch in (1, 5, 10, 1, 17, 30, 200, 36):  # uneven batches across tile edges
        tree.append(start, hashes[start : start + batch])
        start += batch
    assert start == 300
    for size in (1, 2, 15, 16, 17, 31, 32, 33, 255, 256, 257, 300):
        assert tree.root(size) == root_from_hashes(hashes[:size])
    for size in (16, 33, 257, 300):
        for index in {0, 1, 15, min(16, size - 1), size // 2, size - 1}:
            got = tree.subtree_hashes(inclusion_ranges(index, size))
            assert got == inclusion_proof(hashes, index, size)
        for first in (1, 3, 16, size - 1):
            got = tree.subtree_hashes(consistency_ranges(first, size))
            assert got == consistency_proof(hashes, first, size)
    # level 0: 19 tiles (the last one holds 12 hashes), level 1: one full + one of 2, level 2: 1
    assert LogTile.objects.filter(key__lt=1 << 48).count() == 19
    assert len(bytes(LogTile.objects.get(key=tree.tile_key(0, 18)).hashes)) == 12 * 32
    assert LogTile.objects.filter(key__gte=1 << 48, key__lt=2 << 48).count() == 2
    assert len(bytes(LogTile.objects.get(key=tree.tile_key(2, 0)).hashes)) == 32


def test_a_node_not_yet_stored_is_refused():
    tree.append(0, [leaf_hash(b"a"), leaf_hash(b"b")])
    with pytest.raises(LookupError):
        tree.subtree_hashes([(0, 4)])
