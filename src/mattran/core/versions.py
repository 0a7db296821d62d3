"""Versions of the data, for caches keyed by what their content was computed from.

A cache of computed figures (a report's roll-up, the public donation lookup, an
export) is keyed by the version of the data it read, so a write changes the key
and the next reader computes afresh: a new record shows at once, and nothing
waits for a time-to-live to expire. Each version is a counter in the shared
cache (Redis in production), one per *name*:

- ``u:<unit id>``: the records of a unit's subtree. A write of unit U bumps U and
  each of its ancestors (a ward's activity changes its city's roll-up).
- ``sv:<structure version id>``: bumped by every write of a unit of that structure
  version. A report under another version carries those records over through
  lineage, so such a report also reads the other versions' names.
- ``ref``: writes that name no unit (catalogues, indicators, templates, rules).
- ``ledger``: the funds' ledger (entries, annotations, transfers, funds, imports),
  which the public pages show.
- ``lineage``: the links between structure versions (with ``ref``, which a
  lineage import bumps), for the lineage map each process keeps in memory.

Writers: every service writes an audit event in its transaction
(`core.audit.audit_record`), which bumps the names of the audited unit and
object **after the transaction commits** (`transaction.on_commit`). A reader
reads the versions first and the data second, so whatever it stores under a
version is at least as new as that version; a reader that sees the new version
reads the committed write. A write rolled back bumps nothing.

A missing counter (first use, or evicted by Redis) starts at a random 62-bit
number, never at a value an older cache entry was stored under.

Off (`enabled()` is False) when the default cache is not shared between
processes (the per-process memory cache of development), because a version
bumped in one process would not be seen by another; `MATTRAN_DATA_CACHE`
forces it on or off.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

PREFIX = "mattran:ver:"
REF = "ref"
LEDGER = "ledger"
LINEAGE = "lineage"  # the lineage links between structure versions
# Apps whose writes change what the public pages show.
LEDGER_APP_LABELS = ("funds", "ledgerlog")
LEDGER_APPS = tuple(f"{label}." for label in LEDGER_APP_LABELS)
LINEAGE_MODEL = "units.lineage"


def enabled() -> bool:
    forced = getattr(settings, "MATTRAN_DATA_CACHE", None)
    if forced is not None:
        return bool(forced)
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return "redis" in backend.lower() or "memcache" in backend.lower()


def unit_names(unit) -> list[str]:
    """The names a write of `unit` bumps: the unit, its ancestors, its structure version."""
    ids = [*unit.ancestor_ids, unit.pk]
    return [*(f"u:{i}" for i in ids), f"sv:{unit.version_id}"]


# Objects whose changes no cached figure reads (a report's submission status is
# read live on every page): their writes do not bump the unit's version.
_NOT_READ: set[str] = set()


def figures_never_read(object_type: str) -> None:
    """Registration point for an app above core: writes of `object_type`
    ("app_label.model") leave the data versions as they are."""
    _NOT_READ.add(object_type)


def names_for_audit(*, unit, object_type: str) -> list[str]:
    if object_type in _NOT_READ:
        return []
    names = unit_names(unit) if unit is not None else [REF]
    if object_type.startswith(LEDGER_APPS):
        names.append(LEDGER)
    if object_type == LINEAGE_MODEL:
        names.append(LINEAGE)
    return names


def _bump_now(names: Iterable[str]) -> None:
    names = sorted(set(names))
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        _bump_redis(backend, names)
        return
    for name in names:
        key = PREFIX + name
        try:
            cache.incr(key)
        except ValueError:  # missing: start it at a fresh random value, then step on
            cache.add(key, secrets.randbits(62), timeout=None)
            try:
                cache.incr(key)
            except ValueError:  # evicted between the two calls: the fresh start will do
                cache.set(key, secrets.randbits(62), timeout=None)


def _bump_redis(backend: RedisCache, names: list[str]) -> None:
    """All the names in one round trip: a missing counter starts at a fresh random
    value (SET NX), then each is stepped on (INCR). Django's Redis cache stores
    integers unpickled, so INCR works on the values `read` gets back."""
    keys = [backend.make_and_validate_key(PREFIX + name) for name in names]
    client = backend._cache.get_client(keys[0], write=True)
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.set(key, secrets.randbits(62), nx=True)
            pipe.incr(key)
        pipe.execute()


def bump(names: Iterable[str]) -> None:
    """Change the versions of `names`, after the current transaction commits
    (at once outside a transaction)."""
    if not enabled():
        return
    names = list(names)
    if not names:
        return
    transaction.on_commit(lambda: _bump_now(names))


def read(names: Iterable[str]) -> tuple[int, ...]:
    """The current versions of `names`, in order (missing ones are started)."""
    names = list(names)
    keys = [PREFIX + n for n in names]
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        for k in missing:
            cache.add(k, secrets.randbits(62), timeout=None)
        found.update(cache.get_many(missing))
    return tuple(int(found.get(k, 0)) for k in keys)


def _row_saved(sender, **kwargs) -> None:
    if sender._meta.app_label in LEDGER_APP_LABELS:
        bump([LEDGER])
    elif sender._meta.label_lower == LINEAGE_MODEL:
        bump([LINEAGE])


def install_signals() -> None:
    """Any row of the funds' apps or of lineage saved or deleted (a service, the
    admin, a script) bumps the ledger's or lineage's version: the public pages and
    the lineage map never wait for a TTL. (A bulk import sends no signal; its
    service's audit event bumps.)"""
    post_save.connect(_row_saved, dispatch_uid="mattran_versions_ledger_save")
    post_delete.connect(_row_saved, dispatch_uid="mattran_versions_ledger_delete")


def cache_key(kind: str, *parts: object) -> str:
    """A cache key from any parts (hashed: Redis keys stay short)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"mattran:{kind}:{digest}"
