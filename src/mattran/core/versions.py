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
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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


# Versions already read in this unit of work (`reading`): name -> version.
_memo: ContextVar[dict[str, int] | None] = ContextVar("versions_memo", default=None)


def _read(keys: list[str]) -> dict[str, int]:
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        for k in missing:
            cache.add(k, secrets.randbits(62), timeout=None)
        found.update(cache.get_many(missing))
    return {k: int(found.get(k, 0)) for k in keys}


def read(names: Iterable[str]) -> tuple[int, ...]:
    """The current versions of `names`, in order (missing ones are started). Inside
    `reading`, a name already read is not read again."""
    names = list(names)
    memo = _memo.get()
    if memo is None:
        found = _read([PREFIX + n for n in names])
        return tuple(found[PREFIX + n] for n in names)
    missing = [n for n in dict.fromkeys(names) if n not in memo]
    if missing:
        found = _read([PREFIX + n for n in missing])
        memo.update({n: found[PREFIX + n] for n in missing})
    return tuple(memo[n] for n in names)


@contextmanager
def reading(names: Iterable[str] = ()) -> Iterator[None]:
    """One unit of work (a report) reads each version once: `names` in one round trip
    now, any other on first use; every later `read` of them inside the block is
    answered from memory. (A reader reads the versions before the data, so the data
    it then reads is at least as new as what it stores them under.)"""
    if not enabled() or _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        names = list(names)
        if names:
            read(names)
        yield
    finally:
        _memo.reset(token)


# Definitions a report reads (templates, indicators, rules, activity types…): saved or
# deleted anywhere (a service, the admin, a data migration) they bump ``ref``.
_REFERENCE: set[str] = set()
UNIT_MODEL = "units.unit"


def reference_models(*object_types: str) -> None:
    """Registration point for apps above core: a row of these models ("app_label.model")
    saved or deleted bumps ``ref`` (the per-process caches of definitions miss)."""
    _REFERENCE.update(object_types)


def _row_saved(sender, instance=None, **kwargs) -> None:
    label = sender._meta.label_lower
    if sender._meta.app_label in LEDGER_APP_LABELS:
        bump([LEDGER])
    elif label == LINEAGE_MODEL:
        bump([LINEAGE])
    elif label in _REFERENCE:
        bump([REF])
    elif label == UNIT_MODEL and instance is not None and getattr(instance, "path", ""):
        bump(unit_names(instance))  # a unit renamed or added in the admin: its scope's units


def install_signals() -> None:
    """Any row of the funds' apps or of lineage saved or deleted (a service, the
    admin, a script) bumps the ledger's or lineage's version: the public pages and
    the lineage map never wait for a TTL; likewise a definition registered with
    `reference_models` bumps ``ref`` and a unit its own names. (A bulk import sends
    no signal; its service's audit event bumps.)"""
    post_save.connect(_row_saved, dispatch_uid="mattran_versions_ledger_save")
    post_delete.connect(_row_saved, dispatch_uid="mattran_versions_ledger_delete")


# ------------------------------------------------------- per-process caches

# (kind, parts) -> (the versions it was built under, monotonic expiry, value)
_PROCESS: dict[tuple, tuple[tuple[int, ...], float, object]] = {}
PROCESS_TTL = 60.0  # bound for a write that reaches the database with no signal (raw SQL)
PROCESS_MAX = 20_000  # entries per process (unit metadata of every unit of a country)

# Inside `fresh()`: the per-process caches compute what decides a figure afresh.
_fresh: ContextVar[bool] = ContextVar("versions_fresh", default=False)


@contextmanager
def fresh() -> Iterator[None]:
    """Inside, `process_cached` (and the other per-process caches keyed by versions,
    e.g. `figures.cached.lineage_map_cached`) compute what decides a figure's value
    from the database and store it. For what must be the data as committed, not as
    last bumped: the approval's figures. A version moves a moment after its write commits (`bump`),
    and not at all for a write with no service and no signal (raw SQL, where only
    `PROCESS_TTL` bounds the staleness): a unit's children kept from before would
    leave a new child's records out of the subtree's total."""
    token = _fresh.set(True)
    try:
        yield
    finally:
        _fresh.reset(token)


def is_fresh() -> bool:
    return _fresh.get()


def process_cached(
    kind: str,
    parts: tuple,
    *,
    names: list[str],
    compute: Callable[[], object],
    current: tuple[int, ...] | None = None,
    decides_figures: bool = True,
) -> object:
    """`compute()` kept in this process while the versions of `names` stay the same
    (and at most `PROCESS_TTL` seconds): what every report reads and almost never
    changes (templates, indicators, activity types, a unit's children). `current`:
    the versions of `names` already read by the caller (one round trip for several
    lookups). Off (compute every time) when the versions are (`enabled`), and
    inside `fresh()` unless `decides_figures` is False (a definition whose staleness
    changes no figure's value, only which figures there are).

    The value is shared by every request of the process: callers must not change it."""
    if not enabled():
        return compute()
    current = current if current is not None else read(names)
    key = (kind, parts)
    now = time.monotonic()
    kept = _PROCESS.get(key)
    if (
        kept is not None
        and kept[0] == current
        and kept[1] > now
        and not (decides_figures and _fresh.get())
    ):
        return kept[2]
    value = compute()
    if len(_PROCESS) >= PROCESS_MAX:
        _PROCESS.clear()
    _PROCESS[key] = (current, now + PROCESS_TTL, value)
    return value


def process_cache_clear() -> None:
    _PROCESS.clear()


def cache_key(kind: str, *parts: object) -> str:
    """A cache key from any parts (hashed: Redis keys stay short)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"mattran:{kind}:{digest}"
