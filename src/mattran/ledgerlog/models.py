"""The public ledger as a transparency log (RFC 6962 / RFC 9162 Merkle tree).

- LogLeaf: leaf number `index` (0, 1, 2, …) is one public ledger line
  (source ENTRY, a funds.LedgerEntry) or one later annotation of a line
  (source ANNOTATION). The leaf's bytes are not stored: they are the
  canonical serialisation of the line's public fields (leaves.py), rebuilt
  from the ledger whenever they are served, so a ledger row changed behind the
  application's back no longer hashes to its leaf. Only the masked memo is kept
  here, as published when logged (masking rules may change later).
- LogTile: the tree's hashes, 2**TILE_HEIGHT to a row (the tiles of the Go
  checksum database / tlog): tile level L holds the hashes of the perfect
  subtrees of height TILE_HEIGHT * L, in order; level 0 holds the leaf hashes.
  Any node of the tree is computed from one tile (at most 15 hashes), so a
  proof reads about one tile per level band (tree.py).
- TreeHead: a signed tree head (size, root, time, Ed25519 signature).
- SigningKey: the public half of each signing key; the private key is a file
  outside the database (keys.py).
- LogState: one row, locked by every append (leaves are numbered in one order).
"""

from __future__ import annotations

from django.db import models


class LeafSource(models.IntegerChoices):
    ENTRY = 1, "Bút toán"
    ANNOTATION = 2, "Chú thích bút toán"


class LogState(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="log_state_single")]

    def __str__(self) -> str:
        return f"sổ {self.size} lá"


class LogLeaf(models.Model):
    index = models.BigIntegerField(primary_key=True)
    source = models.PositiveSmallIntegerField(choices=LeafSource.choices)
    source_id = models.BigIntegerField()
    # An entry's memo as published when it was logged (mask_personal then): the leaf
    # commits to this text, so a later change of the masking rules changes no leaf.
    memo = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="log_leaf_source_once")
        ]

    def __str__(self) -> str:
        return f"lá {self.index}"


class LogTile(models.Model):
    # (level << 48) | index: one integer key, no surrogate id
    key = models.BigIntegerField(primary_key=True)
    hashes = models.BinaryField()

    def __str__(self) -> str:
        return f"tile {self.key >> 48}/{self.key & ((1 << 48) - 1)}"


class SigningKey(models.Model):
    key_id = models.CharField(max_length=16, unique=True)
    public_key = models.BinaryField()
    # the previous key's signature over this one (empty for the first key)
    endorsement = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key_id


class TreeHead(models.Model):
    size = models.BigIntegerField(db_index=True)
    root = models.BinaryField()
    timestamp_ms = models.BigIntegerField()
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="heads")
    signature = models.BinaryField()

    class Meta:
        ordering = ["timestamp_ms", "id"]

    def __str__(self) -> str:
        return f"đầu cây {self.size} lá"
