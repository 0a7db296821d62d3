"""`figures_compute`, cached by the version of the data it reads (core/versions.py).

    figure_set = figures_compute_cached(user=user, scope=scope, periods=periods, keys=keys)

Same arguments and result as `engine.figures_compute`. The cache key holds:

- the scope (unit, or the structure version and its roots), the periods, the keys;
- the user's grants fingerprint (`grants_fingerprint`): what a user may see is
  their grants, so two users share an entry only when their grants are equal, and
  one user never sees figures computed under another user's access;
- the data versions the figures depend on: the scope unit's subtree (``u:<id>``,
  bumped by any write in it), the reference data (``ref``), the funds' ledger,
  and, when lineage carries records of other structure versions into the scope,
  those versions (``sv:<id>``).

A write bumps the versions after it commits, so the next request computes afresh
and a new record shows at once. Entries also expire after `TTL` seconds, a bound
for a write that reaches the database without a service (and so without a bump).

With a read replica a fill reads the replica only when it has replayed every
commit the primary had made when the versions were read (core/db_routers.py,
`cache_fill_reads`), else the primary: the versions are bumped on the primary's
commit, and a replica a moment behind would store old figures under a new version.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable

from mattran.access.cached import (  # noqa: F401 - grants_fingerprint, user_data_cached: API
    cache_get,
    cache_set,
    grants_fingerprint,
    user_data_cached,
)
from mattran.core import versions
from mattran.core.db_routers import cache_fill_reads
from mattran.core.periods import Period
from mattran.units.models import StructureVersion

from .engine import FigureRequest, FigureSet, figures_compute
from .keys import FigureKey
from .scope import LineageMap, Scope, lineage_map_build

log = logging.getLogger(__name__)

TTL = 600
KIND = "figures"


def version_names(scope: Scope, lmap: LineageMap) -> list[str]:
    """The data versions a computation over `scope` depends on."""
    names = [versions.REF, versions.LEDGER]
    if scope.unit is not None:
        names.append(f"u:{scope.unit.pk}")
    else:
        names += [f"u:{r.pk}" for r in scope.children]
        names.append(f"sv:{scope.version.pk}")
    if lmap:
        others = StructureVersion.objects.exclude(pk=scope.version.pk).values_list("pk", flat=True)
        names += [f"sv:{pk}" for pk in sorted(others)]
    return names


def figures_compute_cached(
    *,
    user,
    scope: Scope,
    periods: list[Period],
    keys: Iterable[str | FigureKey],
    lmap: LineageMap | None = None,
    entered: bool = True,
    refresh: bool = False,
) -> FigureSet:
    """`figures_compute` through the data-versioned cache (see the module's text).

    refresh: compute afresh whatever the cache holds, and store the result (the
    approval's figures, computed under its lock, serve the pages that follow)."""
    keys = list(keys)
    periods = list(periods)
    if not versions.enabled() or getattr(scope, "peers", False):
        return figures_compute(
            user=user, scope=scope, periods=periods, keys=keys, lmap=lmap, entered=entered
        )
    lmap = lmap if lmap is not None else lineage_map_build(scope.version)
    names = version_names(scope, lmap)
    key = versions.cache_key(
        KIND,
        scope.unit.pk if scope.unit is not None else None,
        scope.version.pk,
        tuple(r.pk for r in scope.children),
        tuple(p.code for p in periods),
        tuple(str(k) for k in keys),
        entered,
        grants_fingerprint(user),
        tuple(names),
        versions.read(names),  # before the data: what is stored is at least this new
    )
    hit = None if refresh else _get(key)
    if hit is not None:
        values, extras = hit
        request = FigureRequest(user=user, scope=scope, periods=periods, _lmap=lmap)
        request.extras.update(extras)
        return FigureSet(request=request, values=values)
    with cache_fill_reads():
        figure_set = figures_compute(
            user=user, scope=scope, periods=periods, keys=keys, lmap=lmap, entered=entered
        )
    _set(key, (figure_set.values, _storable(figure_set.request.extras)))
    return figure_set


def _storable(extras: dict) -> dict:
    """What sources leave for their callers, as plain data: a dataclass's defaultdicts
    (built with lambdas, which pickle refuses) become dicts with the same items."""
    out = {}
    for name, value in extras.items():
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            plain = {
                f.name: dict(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if isinstance(getattr(value, f.name), defaultdict)
            }
            value = dataclasses.replace(value, **plain) if plain else value
        out[name] = value
    return out


_get, _set = cache_get, cache_set


# structure version id -> (the versions it was built under, the map): per process
_LINEAGE_MAPS: dict[int, tuple[tuple[int, ...], LineageMap]] = {}


def lineage_map_cached(version: StructureVersion) -> LineageMap:
    """`lineage_map_build(version)`, kept in this process until lineage changes.

    The map of a version with many links (Hà Nội's 2025 reorganisation) costs a
    query and tens of milliseconds of Python; it changes only when a link is
    created, imported or deleted, which bumps the ``lineage`` or ``ref`` version
    (built again inside `versions.fresh()`)."""
    if not versions.enabled():
        return lineage_map_build(version)
    current = versions.read([versions.REF, versions.LINEAGE])
    kept = _LINEAGE_MAPS.get(version.pk)
    if kept is not None and kept[0] == current and not versions.is_fresh():
        return kept[1]
    lmap = lineage_map_build(version)
    _LINEAGE_MAPS[version.pk] = (current, lmap)
    return lmap


def unit_version_names(unit) -> list[str]:
    """Every data version a report of `unit` may read: its subtree, the reference data,
    the ledger, and every other structure version (records carried over by lineage)."""
    others = StructureVersion.objects.exclude(pk=unit.version_id).values_list("pk", flat=True)
    return [versions.REF, versions.LEDGER, f"u:{unit.pk}", *(f"sv:{pk}" for pk in sorted(others))]
